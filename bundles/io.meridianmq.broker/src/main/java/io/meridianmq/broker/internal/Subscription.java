package io.meridianmq.broker.internal;

/**
 * One subscription of one session, as the subscription tree holds it.
 *
 * @param shareName the share name of a {@code $share/NAME/filter} subscription, else {@code null}
 * @param subscriptionId the MQTT 5 subscription identifier, or 0
 */
record Subscription(Session session, String filter, int qos, boolean noLocal, boolean retainAsPublished,
        int subscriptionId, String shareName) {
}
