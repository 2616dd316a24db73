package io.meridianmq.cluster.hazelcast.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.Test;

/** The cluster's route trie: which nodes and shared groups a topic matches, one entry per (route, node). */
public class RouteTrieTest {

    private final RouteTrie trie = new RouteTrie();

    private static final class Seen implements RouteTrie.Visitor {
        final Set<String> nodes = new TreeSet<>();
        final Map<String, Set<String>> groups = new HashMap<>();

        @Override
        public void plain(String node) {
            nodes.add(node);
        }

        @Override
        public void shared(String route, Set<String> members) {
            groups.put(route, new TreeSet<>(members));
        }
    }

    private Seen match(String topic) {
        Seen seen = new Seen();
        trie.match(topic, seen);
        return seen;
    }

    @Test
    public void wildcardsMatchAsInMqttAndEachNodeOnce() {
        trie.add("a", "sensors/+/temp");
        trie.add("b", "sensors/#");
        trie.add("c", "sensors/kitchen/temp");
        trie.add("c", "sensors/+/temp");
        trie.add("d", "other/#");
        assertEquals(Set.of("a", "b", "c"), match("sensors/kitchen/temp").nodes);
        assertEquals(Set.of("b"), match("sensors").nodes);
        assertEquals(Set.of("b"), match("sensors/kitchen/humidity").nodes);
        assertEquals(Set.of(), match("$SYS/sensors").nodes);
    }

    @Test
    public void dollarTopicsMatchNoLeadingWildcard() {
        trie.add("a", "#");
        trie.add("b", "+/broker/uptime");
        trie.add("c", "$SYS/#");
        assertEquals(Set.of("c"), match("$SYS/broker/uptime").nodes);
    }

    @Test
    public void sharedGroupsListTheirNodes() {
        trie.add("a", "$share/workers/jobs/#");
        trie.add("b", "$share/workers/jobs/#");
        trie.add("b", "$share/auditors/jobs/+");
        Seen seen = match("jobs/42");
        assertEquals(Set.of(), seen.nodes);
        assertEquals(Set.of("a", "b"), seen.groups.get("$share/workers/jobs/#"));
        assertEquals(Set.of("b"), seen.groups.get("$share/auditors/jobs/+"));
    }

    @Test
    public void removingTheLastRoutePrunesTheTrie() {
        trie.add("a", "x/y/z");
        trie.add("b", "x/y/z");
        trie.add("a", "$share/g/x/#");
        trie.remove("a", "x/y/z");
        assertEquals(Set.of("b"), match("x/y/z").nodes);
        assertEquals(2, trie.size("nobody"));
        trie.remove("b", "x/y/z");
        trie.remove("a", "$share/g/x/#");
        trie.remove("a", "never/added");
        assertTrue(trie.isEmpty());
    }

    @Test
    public void sizeCountsOtherNodesEntriesOnly() {
        trie.add("self", "a/#");
        trie.add("other", "a/#");
        trie.add("other", "$share/g/a/#");
        assertEquals(2, trie.size("self"));
    }
}
