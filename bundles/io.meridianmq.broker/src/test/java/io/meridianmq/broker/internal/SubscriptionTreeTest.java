package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

public class SubscriptionTreeTest {

    private final BrokerCore core = new BrokerCore();
    private final SubscriptionTree tree = new SubscriptionTree();

    private Session session(String id) {
        return new Session(id, false, core);
    }

    private Map<String, Integer> match(String topic) {
        Map<String, Integer> found = new HashMap<>();
        tree.match(topic, (s, qos) -> found.merge(s.clientId, qos, Math::max));
        return found;
    }

    @Test
    public void matchesExactAndWildcardFilters() {
        core.activate(Map.of());
        try {
            Session a = session("a");
            Session b = session("b");
            Session c = session("c");
            tree.subscribe("home/kitchen/temp", a, 0);
            tree.subscribe("home/+/temp", b, 1);
            tree.subscribe("home/#", c, 2);
            assertEquals(Map.of("a", 0, "b", 1, "c", 2), match("home/kitchen/temp"));
            assertEquals(Map.of("b", 1, "c", 2), match("home/hall/temp"));
            assertEquals(Map.of("c", 2), match("home"));
            assertEquals(Map.of("c", 2), match("home/hall/temp/x"));
            assertEquals(Map.of(), match("garden/temp"));
        } finally {
            core.deactivate();
        }
    }

    @Test
    public void dollarTopicsNeedAnExplicitFirstLevel() {
        core.activate(Map.of());
        try {
            Session all = session("all");
            Session plus = session("plus");
            Session sys = session("sys");
            tree.subscribe("#", all, 0);
            tree.subscribe("+/broker", plus, 0);
            tree.subscribe("$SYS/#", sys, 0);
            assertEquals(Map.of("sys", 0), match("$SYS/broker"));
            assertEquals(Map.of("all", 0, "plus", 0), match("x/broker"));
        } finally {
            core.deactivate();
        }
    }

    @Test
    public void unsubscribePrunesEmptyBranches() {
        core.activate(Map.of());
        try {
            Session a = session("a");
            tree.subscribe("a/b/c/d", a, 1);
            tree.subscribe("a/+/#", a, 1);
            tree.unsubscribe("a/b/c/d", a);
            tree.unsubscribe("a/+/#", a);
            assertTrue(tree.isEmpty());
            assertEquals(Map.of(), match("a/b/c/d"));
        } finally {
            core.deactivate();
        }
    }

    @Test
    public void emptyLevelsAreLevelsToo() {
        core.activate(Map.of());
        try {
            Session a = session("a");
            tree.subscribe("/+", a, 0);
            assertEquals(Map.of("a", 0), match("/x"));
            assertEquals(Map.of(), match("x"));
            tree.subscribe("+/+", a, 1);
            assertEquals(Map.of("a", 1), match("/x"));
        } finally {
            core.deactivate();
        }
    }
}
