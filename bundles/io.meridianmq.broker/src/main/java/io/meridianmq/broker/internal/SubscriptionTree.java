package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Subscriptions by topic filter level, for matching a topic name against all filters at once.
 * Shared subscriptions ({@code $share/NAME/filter}) sit at their filter's node, grouped by share
 * name; a message goes to one member of each matching group.
 *
 * <p>Reads ({@link #match}) take no lock: they walk concurrent maps and may miss a subscription
 * added while they run, which is the same as it arriving a moment later. Writes (subscribe and
 * unsubscribe, rare next to publishes) are serialised by one lock so that pruning empty nodes
 * cannot race with adding to them.
 */
final class SubscriptionTree implements RouteTable {

    /** Receives matches (the route table's visitor). */
    interface MatchVisitor extends RouteTable.MatchVisitor {
    }

    /** The members of one share name at one filter; a message goes to one of them. */
    static final class SharedGroup {
        final String shareName;
        final String filter;
        /** {@code $share/NAME/filter}: the group's route in a cluster. */
        final String route;
        final CopyOnWriteArrayList<Subscription> members = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();

        SharedGroup(String shareName, String filter) {
            this.shareName = shareName;
            this.filter = filter;
            this.route = AnnouncedRoutes.route(filter, shareName);
        }

        /**
         * The next member in turn, preferring members that are connected; {@code null} when the
         * group is empty or only {@code excluded} is in it.
         */
        Subscription pick(Session excluded) {
            List<Subscription> all = members;
            int n = all.size();
            if (n == 0) {
                return null;
            }
            int start = Math.floorMod(next.getAndIncrement(), n);
            Subscription fallback = null;
            for (int i = 0; i < n; i++) {
                Subscription s;
                try {
                    s = all.get((start + i) % n);
                } catch (IndexOutOfBoundsException removedMeanwhile) {
                    break;
                }
                if (s.session() == excluded) {
                    continue;
                }
                if (s.session().isOnline()) {
                    return s;
                }
                if (fallback == null) {
                    fallback = s;
                }
            }
            return fallback;
        }

        @Override
        public String toString() {
            return route;
        }
    }

    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        final ConcurrentHashMap<Session, Subscription> subscribers = new ConcurrentHashMap<>(4);
        final ConcurrentHashMap<String, SharedGroup> shared = new ConcurrentHashMap<>(2);

        boolean isEmpty() {
            return children.isEmpty() && subscribers.isEmpty() && shared.isEmpty();
        }
    }

    private final Node root = new Node();
    private final Object writeLock = new Object();

    @Override
    public boolean subscribe(Subscription subscription) {
        synchronized (writeLock) {
            Node node = root;
            for (String level : levels(subscription.filter())) {
                node = node.children.computeIfAbsent(level, k -> new Node());
            }
            if (subscription.shareName() == null) {
                return node.subscribers.put(subscription.session(), subscription) != null;
            }
            SharedGroup group = node.shared.computeIfAbsent(subscription.shareName(),
                    k -> new SharedGroup(subscription.shareName(), subscription.filter()));
            boolean existed = group.members.removeIf(s -> s.session() == subscription.session());
            group.members.add(subscription);
            return existed;
        }
    }

    @Override
    public void unsubscribe(String filter, String shareName, Session session) {
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
            if (shareName == null) {
                node.subscribers.remove(session);
            } else {
                SharedGroup group = node.shared.get(shareName);
                if (group != null) {
                    group.members.removeIf(s -> s.session() == session);
                    if (group.members.isEmpty()) {
                        node.shared.remove(shareName, group);
                    }
                }
            }
            for (int i = levels.length; i > 0; i--) {
                Node child = path.get(i);
                if (!child.isEmpty()) {
                    break;
                }
                path.get(i - 1).children.remove(levels[i - 1], child);
            }
        }
    }

    @Override
    public void match(String topic, RouteTable.MatchVisitor visitor) {
        String[] levels = levels(topic);
        boolean dollar = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, levels, 0, dollar, visitor);
    }

    private static void match(Node node, String[] levels, int index, boolean dollar, RouteTable.MatchVisitor visitor) {
        boolean wildcardsAllowed = !(index == 0 && dollar);
        // '#' matches this level and everything below, including the parent level itself
        if (wildcardsAllowed) {
            Node multi = node.children.get("#");
            if (multi != null) {
                visitAll(multi, visitor);
            }
        }
        if (index == levels.length) {
            visitAll(node, visitor);
            return;
        }
        if (wildcardsAllowed) {
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

    private static void visitAll(Node node, RouteTable.MatchVisitor visitor) {
        if (!node.subscribers.isEmpty()) {
            for (Subscription s : node.subscribers.values()) {
                visitor.subscription(s);
            }
        }
        if (!node.shared.isEmpty()) {
            for (SharedGroup g : node.shared.values()) {
                visitor.sharedGroup(g);
            }
        }
    }

    /** Whether the tree holds no subscription at all (for tests and diagnostics). */
    boolean isEmpty() {
        return root.isEmpty();
    }

    /** The levels between '/' separators, empty ones included ("a//b" has three). */
    static String[] levels(String topicOrFilter) {
        // by hand: String.split builds a list and copies it into the array on every call
        int count = 1;
        for (int i = topicOrFilter.indexOf('/'); i >= 0; i = topicOrFilter.indexOf('/', i + 1)) {
            count++;
        }
        String[] levels = new String[count];
        int from = 0;
        for (int k = 0; k < count - 1; k++) {
            int slash = topicOrFilter.indexOf('/', from);
            levels[k] = topicOrFilter.substring(from, slash);
            from = slash + 1;
        }
        levels[count - 1] = topicOrFilter.substring(from);
        return levels;
    }
}
