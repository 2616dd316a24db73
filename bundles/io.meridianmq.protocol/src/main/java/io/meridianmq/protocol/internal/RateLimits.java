package io.meridianmq.protocol.internal;

/**
 * The per-client publish rate limits in force ({@code etc/io.meridianmq.protocol.cfg}); 0 means
 * no limit. A burst is how far a client may run ahead of its rate after a quiet time.
 *
 * @param messagesPerSecond {@code max_publish_rate}
 * @param messageBurst {@code max_publish_burst} (0: one second's worth)
 * @param bytesPerSecond {@code max_publish_bytes_rate}, counting PUBLISH payload bytes
 * @param byteBurst {@code max_publish_bytes_burst} (0: one second's worth)
 */
record RateLimits(long messagesPerSecond, long messageBurst, long bytesPerSecond, long byteBurst) {

    static final RateLimits NONE = new RateLimits(0, 0, 0, 0);

    boolean any() {
        return messagesPerSecond > 0 || bytesPerSecond > 0;
    }

    long effectiveMessageBurst() {
        return messageBurst > 0 ? messageBurst : messagesPerSecond;
    }

    long effectiveByteBurst() {
        return byteBurst > 0 ? byteBurst : bytesPerSecond;
    }
}
