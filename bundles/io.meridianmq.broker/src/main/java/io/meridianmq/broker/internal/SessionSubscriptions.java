package io.meridianmq.broker.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * One session's subscriptions by filter (and shared group), kept in step with the route table
 * and the store, with a copy (filter to QoS) that other threads may read.
 *
 * <p>Threading: changed on the session's thread only; {@link #snapshot} is read anywhere.
 */
final class SessionSubscriptions {

    private final Session session;
    private final RouteTable routes;
    private final StoreMirror mirror;
    /** Empty (shared) until the first subscription: most idle clients have none. The session's thread. */
    private Map<String, Subscription> byKey = Collections.emptyMap();
    /** A copy of the subscriptions (key to QoS) for other threads; replaced on every change. */
    volatile Map<String, Integer> snapshot = Map.of();

    SessionSubscriptions(Session session, RouteTable routes, StoreMirror mirror) {
        this.session = session;
        this.routes = routes;
        this.mirror = mirror;
    }

    /**
     * Whether one more subscription to {@code filter} (in {@code shareName}'s group, or null)
     * stays within {@code max}: a subscription that replaces one always does.
     */
    boolean roomFor(String filter, String shareName, int max) {
        return max < 0 || byKey.size() < max || byKey.containsKey(key(filter, shareName));
    }

    /** Adds or replaces a subscription; returns whether it existed. */
    boolean add(Subscription subscription) {
        boolean existed = writable().put(key(subscription.filter(), subscription.shareName()), subscription) != null;
        routes.subscribe(subscription);
        mirror.write(b -> b.putSubscription(session.clientId, StoreMirror.stored(subscription)));
        takeSnapshot();
        return existed;
    }

    /** One read back from the store at start-up (already stored, so not written again). */
    void restore(Subscription subscription) {
        writable().put(key(subscription.filter(), subscription.shareName()), subscription);
        routes.subscribe(subscription);
    }

    private Map<String, Subscription> writable() {
        if (byKey == Collections.<String, Subscription>emptyMap()) {
            byKey = new HashMap<>();
        }
        return byKey;
    }

    boolean remove(String filter, String shareName) {
        String key = key(filter, shareName);
        if (byKey.remove(key) != null) {
            routes.unsubscribe(filter, shareName, session);
            mirror.write(b -> b.removeSubscription(session.clientId, key));
            takeSnapshot();
            return true;
        }
        return false;
    }

    /** The session ends: every subscription leaves the route table (the store forgets the session whole). */
    void clear() {
        for (Subscription s : byKey.values()) {
            routes.unsubscribe(s.filter(), s.shareName(), session);
        }
        byKey.clear();
        takeSnapshot();
    }

    Collection<Subscription> all() {
        return byKey.values();
    }

    void takeSnapshot() {
        Map<String, Integer> copy = new HashMap<>();
        byKey.forEach((k, s) -> copy.put(k, s.qos()));
        snapshot = Map.copyOf(copy);
    }

    /** Whether a snapshot key names a shared subscription. */
    static boolean isShared(String key) {
        return key.startsWith("$share/");
    }

    private static String key(String filter, String shareName) {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }
}
