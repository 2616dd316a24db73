package io.meridianmq.broker.internal;

/**
 * Which topic filters have subscribers, and whose they are: what {@link Router} matches a topic
 * against. Today's implementation is the local {@link SubscriptionTree}; a cluster puts one here
 * that also knows the filters of other nodes, without {@link Router} or {@link Session} changing.
 *
 * <p>Thread-safe: {@link #match} runs on any thread without locks, concurrently with changes.
 */
interface RouteTable {

    /** Receives what a topic matches. */
    interface MatchVisitor {
        void subscription(Subscription subscription);

        void sharedGroup(SubscriptionTree.SharedGroup group);
    }

    /** Adds or replaces a subscription; returns whether one with the same filter existed. */
    boolean subscribe(Subscription subscription);

    /** Removes {@code session}'s subscription to {@code filter} (in {@code shareName}'s group, or null). */
    void unsubscribe(String filter, String shareName, Session session);

    /** Visits every subscription and shared group whose filter matches {@code topic}. */
    void match(String topic, MatchVisitor visitor);
}
