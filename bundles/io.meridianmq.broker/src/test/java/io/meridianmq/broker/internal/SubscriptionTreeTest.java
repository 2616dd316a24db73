package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class SubscriptionTreeTest {

    private final BrokerCore core = new BrokerCore();

    {
        core.store = new io.meridianmq.storage.memory.internal.TransientSessionStore();
        core.retained = new io.meridianmq.storage.memory.internal.InMemoryRetainedMessageStore();
    }
    private final SubscriptionTree tree = new SubscriptionTree();

    private Session session(String id) {
        return new Session(id, 0, core.parts());
    }

    private Map<String, Integer> match(String topic) {
        Map<String, Integer> found = new HashMap<>();
        tree.match(topic, new SubscriptionTree.MatchVisitor() {
            @Override
            public void subscription(Subscription s) {
                found.merge(s.session().clientId, s.qos(), Math::max);
            }

            @Override
            public void sharedGroup(SubscriptionTree.SharedGroup group) {
                found.merge("$share/" + group.shareName, 0, Math::max);
            }
        });
        return found;
    }

    @Test
    public void matchesExactAndWildcardFilters() {
        core.activate(Map.of());
        try {
            Session a = session("a");
            Session b = session("b");
            Session c = session("c");
            tree.subscribe(new Subscription(a, "home/kitchen/temp", 0, false, false, 0, null));
            tree.subscribe(new Subscription(b, "home/+/temp", 1, false, false, 0, null));
            tree.subscribe(new Subscription(c, "home/#", 2, false, false, 0, null));
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
            tree.subscribe(new Subscription(all, "#", 0, false, false, 0, null));
            tree.subscribe(new Subscription(plus, "+/broker", 0, false, false, 0, null));
            tree.subscribe(new Subscription(sys, "$SYS/#", 0, false, false, 0, null));
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
            tree.subscribe(new Subscription(a, "a/b/c/d", 1, false, false, 0, null));
            tree.subscribe(new Subscription(a, "a/+/#", 1, false, false, 0, null));
            tree.unsubscribe("a/b/c/d", null, a);
            tree.unsubscribe("a/+/#", null, a);
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
            tree.subscribe(new Subscription(a, "/+", 0, false, false, 0, null));
            assertEquals(Map.of("a", 0), match("/x"));
            assertEquals(Map.of(), match("x"));
            tree.subscribe(new Subscription(a, "+/+", 1, false, false, 0, null));
            assertEquals(Map.of("a", 1), match("/x"));
        } finally {
            core.deactivate();
        }
    }

    @Test
    public void levelsKeepEmptyLevels() {
        assertEquals(List.of("a", "b", "c"), List.of(SubscriptionTree.levels("a/b/c")));
        assertEquals(List.of("", "a", ""), List.of(SubscriptionTree.levels("/a/")));
        assertEquals(List.of("a", "", "b"), List.of(SubscriptionTree.levels("a//b")));
        assertEquals(List.of(""), List.of(SubscriptionTree.levels("")));
        assertEquals(List.of("", ""), List.of(SubscriptionTree.levels("/")));
        assertEquals(List.of("single"), List.of(SubscriptionTree.levels("single")));
    }
}
