package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Subscriptions by topic filter level, for matching a topic name against all filters at once.
 *
 * <p>Reads ({@link #match}) take no lock: they walk concurrent maps and may miss a subscription
 * added while they run, which is the same as it arriving a moment later. Writes (subscribe and
 * unsubscribe, rare next to publishes) are serialised by one lock so that pruning empty nodes
 * cannot race with adding to them.
 */
final class SubscriptionTree {

    /** Receives one matching subscription. */
    @FunctionalInterface
    interface MatchVisitor {
        void visit(Session session, int qos);
    }

    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        final ConcurrentHashMap<Session, Integer> subscribers = new ConcurrentHashMap<>(4);

        boolean isEmpty() {
            return children.isEmpty() && subscribers.isEmpty();
        }
    }

    private final Node root = new Node();
    private final Object writeLock = new Object();

    void subscribe(String filter, Session session, int qos) {
        synchronized (writeLock) {
            Node node = root;
            for (String level : levels(filter)) {
                node = node.children.computeIfAbsent(level, k -> new Node());
            }
            node.subscribers.put(session, qos);
        }
    }

    void unsubscribe(String filter, Session session) {
        synchronized (writeLock) {
            String[] levels = levels(filter);
            List<Node> path = new ArrayList<>(levels.length + 1);
            Node node = root;
            path.add(node);
            for (String level : levels) {
                node = node.children.get(level);
                if (node == null) {
                    return;
                }
                path.add(node);
            }
            node.subscribers.remove(session);
            for (int i = levels.length; i > 0; i--) {
                Node child = path.get(i);
                if (!child.isEmpty()) {
                    break;
                }
                path.get(i - 1).children.remove(levels[i - 1], child);
            }
        }
    }

    /** Visits every subscription whose filter matches {@code topic}, once per matching filter. */
    void match(String topic, MatchVisitor visitor) {
        String[] levels = levels(topic);
        boolean dollar = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, levels, 0, dollar, visitor);
    }

    private static void match(Node node, String[] levels, int index, boolean dollar, MatchVisitor visitor) {
        boolean firstLevel = index == 0;
        // '#' matches this level and everything below, including the parent level itself
        if (!(firstLevel && dollar)) {
            Node multi = node.children.get("#");
            if (multi != null) {
                visitAll(multi, visitor);
            }
        }
        if (index == levels.length) {
            visitAll(node, visitor);
            return;
        }
        if (!(firstLevel && dollar)) {
            Node single = node.children.get("+");
            if (single != null) {
                match(single, levels, index + 1, dollar, visitor);
            }
        }
        Node exact = node.children.get(levels[index]);
        if (exact != null) {
            match(exact, levels, index + 1, dollar, visitor);
        }
    }

    private static void visitAll(Node node, MatchVisitor visitor) {
        node.subscribers.forEach((session, qos) -> visitor.visit(session, qos));
    }

    /** Whether the tree holds no subscription at all (for tests and diagnostics). */
    boolean isEmpty() {
        return root.isEmpty();
    }

    private static String[] levels(String topicOrFilter) {
        return topicOrFilter.split("/", -1);
    }
}
