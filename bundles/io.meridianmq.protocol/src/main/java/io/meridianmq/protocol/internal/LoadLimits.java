package io.meridianmq.protocol.internal;

/**
 * What the broker's load allows clients now: the per-client publish rate limits from
 * {@code etc/io.meridianmq.protocol.cfg}, and whether the broker is overloaded (heap, direct
 * memory or event-loop lag past their thresholds, as the transport's overload protection
 * judges). While overloaded, new CONNECTs are refused and every publisher is held to
 * {@code overload_publish_rate} as well.
 *
 * <p>Threading: written by the configuration and the overload monitor, read by every event loop;
 * the fields are volatile, read once per PUBLISH or CONNECT.
 */
final class LoadLimits {

    private volatile RateLimits configured = RateLimits.NONE;
    /** The publish rate every client is held to while the broker is overloaded (0 = not limited then). */
    private volatile long overloadPublishRate = 100;
    /** Why the broker is overloaded, or null when it is not. */
    private volatile String overload;
    private volatile RateLimits inForce = RateLimits.NONE;

    void configure(RateLimits limits, long overloadRate) {
        configured = limits;
        overloadPublishRate = overloadRate;
        update();
    }

    void overload(String why) {
        overload = why;
        update();
    }

    /** Why the broker is overloaded now, or null. */
    String overloaded() {
        return overload;
    }

    RateLimits publishLimits() {
        return inForce;
    }

    private void update() {
        RateLimits c = configured;
        long o = overloadPublishRate;
        if (overload == null || o <= 0) {
            inForce = c;
            return;
        }
        long rate = c.messagesPerSecond() > 0 ? Math.min(c.messagesPerSecond(), o) : o;
        inForce = new RateLimits(rate, Math.min(c.effectiveMessageBurst() > 0 ? c.effectiveMessageBurst() : o, o),
                c.bytesPerSecond(), c.byteBurst());
    }
}
