package io.meridianmq.sdk.interceptor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;

import org.junit.Test;

/**
 * The default {@link PublishInboundOutput#acknowledgeAfter}, for outputs written against SDK 1.0:
 * the message waits (asynchronously) for its hand-over and is failed when that fails.
 */
public class AcknowledgeAfterDefaultTest {

    /** An output as a plugin's test double written against SDK 1.0 would be. */
    private static final class Output implements PublishInboundOutput {
        Duration waitedUpTo;
        TimeoutFallback fallback;
        boolean resumed;
        String dropped;

        @Override
        public Async async(Duration timeout, TimeoutFallback fallback) {
            this.waitedUpTo = timeout;
            this.fallback = fallback;
            return () -> resumed = true;
        }

        @Override
        public ModifiablePublish publish() {
            throw new AssertionError("not used");
        }

        @Override
        public void drop(String reason) {
            dropped = reason;
        }
    }

    @Test
    public void theMessageWaitsForItsHandOver() {
        Output out = new Output();
        CompletableFuture<Void> handedOn = new CompletableFuture<>();
        out.acknowledgeAfter(handedOn);
        assertEquals(PublishInboundOutput.HAND_ON_AT_MOST, out.waitedUpTo);
        assertEquals(TimeoutFallback.FAILURE, out.fallback);
        assertTrue("waits", !out.resumed);
        handedOn.complete(null);
        assertTrue(out.resumed);
        assertNull(out.dropped);
    }

    @Test
    public void aFailedHandOverFailsTheMessage() {
        Output out = new Output();
        CompletableFuture<Void> handedOn = new CompletableFuture<>();
        out.acknowledgeAfter(handedOn);
        handedOn.completeExceptionally(new IllegalStateException("Kafka is away"));
        assertTrue(out.resumed);
        assertTrue(out.dropped, out.dropped.contains("Kafka is away"));
    }
}
