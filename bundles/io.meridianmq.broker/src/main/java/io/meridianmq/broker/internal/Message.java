package io.meridianmq.broker.internal;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * One published message as the core routes it: shared, unchanged, by every session it goes to.
 *
 * @param expiresAtMillis wall-clock expiry, or {@link Long#MAX_VALUE} for never
 * @param publisherId the client id of the publisher (for MQTT 5 no-local), or {@code null}
 */
record Message(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
        long expiresAtMillis, String publisherId) {

    static long expiryFrom(long messageExpirySeconds, long nowMillis) {
        return messageExpirySeconds < 0 ? Long.MAX_VALUE : nowMillis + messageExpirySeconds * 1000L;
    }

    boolean isExpired(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }

    /** The expiry interval left, rounded up, or -1 when the message never expires. */
    long remainingExpirySeconds(long nowMillis) {
        if (expiresAtMillis == Long.MAX_VALUE) {
            return -1;
        }
        return Math.max(0, (expiresAtMillis - nowMillis + 999) / 1000);
    }
}
