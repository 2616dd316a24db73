package io.meridianmq.cluster.hazelcast.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's routes by topic filter level: which nodes have a subscription to each filter,
 * and which nodes have members of each shared group, for matching a topic against all of them at
 * once. One entry per (route, node), however many subscribers a node has.
 *
 * <p>Reads ({@link #match}) take no lock; changes are serialised by one lock (rare next to
 * publishes) so that pruning empty levels cannot race with adding to them.
 */
final class RouteTrie {

    /** Receives what a topic matches. */
    interface Visitor {
        /** {@code node} has a subscription matching the topic. */
        void plain(String node);

        /** The shared group {@code route} matches; {@code nodes} have members of it. */
        void shared(String route, Set<String> nodes);
    }

    private static final class Level {
        final ConcurrentHashMap<String, Level> children = new ConcurrentHashMap<>(4);
        final Set<String> nodes = ConcurrentHashMap.newKeySet(2);
        final ConcurrentHashMap<String, Set<String>> shared = new ConcurrentHashMap<>(2);

        boolean isEmpty() {
            return children.isEmpty() && nodes.isEmpty() && shared.isEmpty();
        }
    }

    private final Level root = new Level();
    private final Object writeLock = new Object();

    /** {@code node} has subscriptions to {@code route} (a filter, or $share/GROUP/filter). */
    void add(String node, String route) {
        Route r = Route.parse(route);
        synchronized (writeLock) {
            Level level = root;
            for (String name : levels(r.filter)) {
                level = level.children.computeIfAbsent(name, k -> new Level());
            }
            if (r.shared) {
                level.shared.computeIfAbsent(route, k -> ConcurrentHashMap.newKeySet(2)).add(node);
            } else {
                level.nodes.add(node);
            }
        }
    }

    /** {@code node} has no subscription to {@code route} any more. */
    void remove(String node, String route) {
        Route r = Route.parse(route);
        synchronized (writeLock) {
            String[] names = levels(r.filter);
            List<Level> path = new ArrayList<>(names.length + 1);
            Level level = root;
            path.add(level);
            for (String name : names) {
                level = level.children.get(name);
                if (level == null) {
                    return;
                }
                path.add(level);
            }
            if (r.shared) {
                Set<String> nodes = level.shared.get(route);
                if (nodes != null) {
                    nodes.remove(node);
                    if (nodes.isEmpty()) {
                        level.shared.remove(route, nodes);
                    }
                }
            } else {
                level.nodes.remove(node);
            }
            for (int i = names.length; i > 0; i--) {
                Level child = path.get(i);
                if (!child.isEmpty()) {
                    break;
                }
                path.get(i - 1).children.remove(names[i - 1], child);
            }
        }
    }

    /** Visits every node and shared group with a route matching {@code topic}. */
    void match(String topic, Visitor visitor) {
        String[] names = levels(topic);
        boolean dollar = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, names, 0, dollar, visitor);
    }

    boolean isEmpty() {
        return root.isEmpty();
    }

    /** How many (route, node) entries are held for nodes other than {@code self} (walks the trie: for metrics). */
    int size(String self) {
        return count(root, self);
    }

    private static int count(Level level, String self) {
        int n = 0;
        for (String node : level.nodes) {
            n += node.equals(self) ? 0 : 1;
        }
        for (java.util.Set<String> nodes : level.shared.values()) {
            for (String node : nodes) {
                n += node.equals(self) ? 0 : 1;
            }
        }
        for (Level child : level.children.values()) {
            n += count(child, self);
        }
        return n;
    }

    private static void match(Level level, String[] names, int index, boolean dollar, Visitor visitor) {
        boolean wildcards = !(index == 0 && dollar); // '$' topics match no leading wildcard
        if (wildcards) {
            Level multi = level.children.get("#");
            if (multi != null) {
                visit(multi, visitor);
            }
        }
        if (index == names.length) {
            visit(level, visitor);
            return;
        }
        if (wildcards) {
            Level single = level.children.get("+");
            if (single != null) {
                match(single, names, index + 1, dollar, visitor);
            }
        }
        Level exact = level.children.get(names[index]);
        if (exact != null) {
            match(exact, names, index + 1, dollar, visitor);
        }
    }

    private static void visit(Level level, Visitor visitor) {
        for (String node : level.nodes) {
            visitor.plain(node);
        }
        if (!level.shared.isEmpty()) {
            level.shared.forEach(visitor::shared);
        }
    }

    private static String[] levels(String s) {
        return s.split("/", -1);
    }

    /** A route split into its filter and whether it is a shared group's. */
    private record Route(String filter, boolean shared) {
        static Route parse(String route) {
            if (route.startsWith("$share/")) {
                int slash = route.indexOf('/', "$share/".length());
                if (slash > 0) {
                    return new Route(route.substring(slash + 1), true);
                }
            }
            return new Route(route, false);
        }
    }
}
