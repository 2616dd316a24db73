package io.meridianmq.protocol.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.meridianmq.sdk.client.ClientInfo;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Ends a connection when its client's credentials expire (a token's {@code exp}), unless an
 * MQTT 5 client re-authenticates first, which arms it again for the new credentials.
 *
 * <p>Threading: the channel's event loop; the timer fires there too.
 */
final class CredentialsExpiry {

    private final EventLoop eventLoop;
    /** Told when the credentials expired, with when. */
    private final Consumer<Instant> expired;
    private ScheduledFuture<?> timer;

    CredentialsExpiry(EventLoop eventLoop, Consumer<Instant> expired) {
        this.eventLoop = eventLoop;
        this.expired = expired;
    }

    /** (Re)arms the timer for {@code client}'s credentials; credentials that do not expire disarm it. */
    void watch(ClientInfo client) {
        cancel();
        Instant until = client.credentialsExpireAt().orElse(null);
        if (until != null) {
            long millis = Math.max(0, Duration.between(Instant.now(), until).toMillis());
            timer = eventLoop.schedule(() -> expired.accept(until), millis, TimeUnit.MILLISECONDS);
        }
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
