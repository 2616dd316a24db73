package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.netty.channel.Channel;

/**
 * Holds one client to its publish rate limits, in messages and in payload bytes per second, each
 * a token bucket with a burst. A PUBLISH is never refused or buffered for it: once the client is
 * over a limit its reading pauses for as long as it takes the bucket to refill, so TCP holds the
 * client back (as EMQX 5's limiter does). The packets of one socket read (at most 64 KiB) are
 * handled whatever happens, so a client can run ahead by one read; the pause then lasts until
 * that debt is repaid too, and over time it is held to its rate. The limits are read at each PUBLISH, so an edit of
 * {@code etc/} applies to connected clients at once.
 *
 * <p>Threading: the channel's event loop only.
 */
final class PublishThrottle {

    private static final long NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Channel channel;
    private final ReadPause readPause;
    private final Supplier<RateLimits> limits;
    private final ConnectionCounters counters;
    /** Tokens left, in messages and bytes; negative while the client is paused for its debt. */
    private double messageTokens = Double.NaN;
    private double byteTokens = Double.NaN;
    private long lastRefill;
    private boolean started;
    /** The scheduled end of the pause, while reading is paused by this throttle (else null), and when it is due. */
    private io.netty.util.concurrent.ScheduledFuture<?> resume;
    private long resumeAt;
    /** The limit the client owes most to, as {@link #debtNanos} last found. */
    private String limit;

    PublishThrottle(Channel channel, ReadPause readPause, Supplier<RateLimits> limits, ConnectionCounters counters) {
        this.channel = channel;
        this.readPause = readPause;
        this.limits = limits;
        this.counters = counters;
    }

    /**
     * A PUBLISH of {@code payloadBytes} was read: it is taken and counted against the limits. The
     * first one that overdraws a limit pauses reading at once (the rest of this read is handled,
     * nothing more is read) until the debt is repaid.
     */
    void published(int payloadBytes) {
        RateLimits l = limits.get();
        if (!l.any()) {
            return;
        }
        long now = System.nanoTime();
        double seconds = started ? (now - lastRefill) / (double) NANOS : 0;
        started = true;
        lastRefill = now;
        if (l.messagesPerSecond() > 0) {
            messageTokens = refill(messageTokens, seconds, l.messagesPerSecond(), l.effectiveMessageBurst()) - 1;
        }
        if (l.bytesPerSecond() > 0) {
            byteTokens = refill(byteTokens, seconds, l.bytesPerSecond(), l.effectiveByteBurst()) - payloadBytes;
        }
        if (resume == null && debtNanos(l) > 0) {
            counters.rateLimited(limit);
            readPause.pause();
            scheduleResume(debtNanos(l));
        }
    }

    /**
     * One read's packets were handled: the pause is stretched to the whole debt they ran up
     * (the packets of one read are handled whatever happens).
     */
    void readComplete() {
        if (resume == null) {
            return;
        }
        long debt = debtNanos(limits.get());
        if (System.nanoTime() + debt > resumeAt && resume.cancel(false)) {
            scheduleResume(debt);
        }
    }

    /** How long repaying what the client owes takes now, and which limit it owes most to ({@link #limit}). */
    private long debtNanos(RateLimits l) {
        long pause = 0;
        if (l.messagesPerSecond() > 0 && messageTokens < 0) {
            pause = (long) (-messageTokens / l.messagesPerSecond() * NANOS);
            limit = "publish_rate";
        }
        if (l.bytesPerSecond() > 0 && byteTokens < 0) {
            long bytesPause = (long) (-byteTokens / l.bytesPerSecond() * NANOS);
            if (bytesPause > pause) {
                pause = bytesPause;
                limit = "publish_bytes_rate";
            }
        }
        return pause;
    }

    private void scheduleResume(long nanos) {
        resumeAt = System.nanoTime() + nanos;
        resume = channel.eventLoop().schedule(this::resume, nanos, TimeUnit.NANOSECONDS);
    }

    private static double refill(double tokens, double seconds, long rate, long burst) {
        if (Double.isNaN(tokens)) {
            return burst; // a new client starts with its full burst
        }
        return Math.min(burst, tokens + seconds * rate);
    }

    private void resume() {
        resume = null;
        readPause.resume();
    }
}
