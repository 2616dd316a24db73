package io.meridianmq.broker;

/**
 * Why a message was not delivered to a subscriber, or not taken from its publisher: the
 * {@code reason} label of {@code meridian_messages_dropped_total}.
 *
 * @since 0.3
 */
public enum DropReason {
    /** The subscriber's queue was at {@code max_queued_messages} or {@code max_queued_bytes}. */
    QUEUE_FULL("queue_full"),
    /** Its message expiry interval passed before it could be delivered. */
    EXPIRED("expired"),
    /** Larger than the subscriber's Maximum Packet Size (MQTT 5), or than the broker's limits. */
    TOO_LARGE("too_large"),
    /** An authorizer denied the PUBLISH, or the delivery when it left the queue. */
    NOT_AUTHORIZED("not_authorized"),
    /** An inbound or outbound interceptor dropped it. */
    PLUGIN_DROPPED("plugin_dropped"),
    /** A stored-state limit refused it (topic length or levels, retained quota). */
    QUOTA_EXCEEDED("quota_exceeded"),
    /** QoS 0 to a client that reads far too slowly. */
    SLOW_READER("slow_reader"),
    /** A shared subscription's member left with it unacknowledged and no other member was there. */
    NO_SUBSCRIBER_LEFT("no_subscriber_left");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** The metric label: lower case, words joined by underscores. */
    public String label() {
        return label;
    }
}
