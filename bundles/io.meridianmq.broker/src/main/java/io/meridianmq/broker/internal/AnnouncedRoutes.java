package io.meridianmq.broker.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The route table of a node that may be in a cluster: the local {@link SubscriptionTree}, plus a
 * count of this node's subscriptions per route (a filter, or {@code $share/GROUP/filter}), so
 * that the cluster hears of a route when its first subscription arrives and when its last one
 * goes: one entry per filter and node, never per subscriber.
 *
 * <p>Thread-safe: {@link #match} is the tree's lock-free read; changes (rare next to publishes)
 * count under one lock, and the cluster is told without blocking ({@link ClusterLink}).
 */
final class AnnouncedRoutes implements RouteTable {

    private final SubscriptionTree tree = new SubscriptionTree();
    private final ClusterLink cluster;
    /** Subscriptions of this node per route; guarded by itself. */
    private final Map<String, Integer> counts = new HashMap<>();

    AnnouncedRoutes(ClusterLink cluster) {
        this.cluster = cluster;
    }

    static String route(String filter, String shareName) {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }

    @Override
    public boolean subscribe(Subscription subscription) {
        synchronized (counts) {
            boolean existed = tree.subscribe(subscription);
            if (!existed && counts.merge(route(subscription.filter(), subscription.shareName()), 1, Integer::sum) == 1) {
                cluster.routeAdded(route(subscription.filter(), subscription.shareName()));
            }
            return existed;
        }
    }

    @Override
    public void unsubscribe(String filter, String shareName, Session session) {
        synchronized (counts) {
            tree.unsubscribe(filter, shareName, session);
            String route = route(filter, shareName);
            Integer left = counts.computeIfPresent(route, (k, n) -> n == 1 ? null : n - 1);
            if (left == null) {
                cluster.routeRemoved(route);
            }
        }
    }

    @Override
    public void match(String topic, MatchVisitor visitor) {
        tree.match(topic, visitor);
    }

    /** This node's routes now (for a cluster being joined). */
    Set<String> routes() {
        synchronized (counts) {
            return Set.copyOf(counts.keySet());
        }
    }
}
