package io.meridianmq.broker;

/**
 * One session as operators list it.
 *
 * @param clientId the client id
 * @param online whether a connection is attached
 * @param subscriptions how many subscriptions it has
 * @param queued messages waiting in its queue
 * @param inflight QoS 1/2 messages sent and not yet acknowledged
 * @since 0.3
 */
public record SessionSummary(String clientId, boolean online, int subscriptions, int queued, int inflight) {
}
