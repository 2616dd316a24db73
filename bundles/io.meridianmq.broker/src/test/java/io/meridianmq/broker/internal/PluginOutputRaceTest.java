package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import io.meridianmq.sdk.async.TimeoutFallback;

import org.junit.Test;

/**
 * A plugin that answers after its timeout cannot change what the broker already decided: once
 * the fallback is applied, every setter of the output is refused, however the threads interleave.
 */
public class PluginOutputRaceTest {

    @Test
    public void aLateAllowAfterTheFallbackDeniedChangesNothing() {
        PluginOutputs.Authorization out = new PluginOutputs.Authorization();
        out.async(Duration.ofSeconds(1), TimeoutFallback.FAILURE);
        assertTrue(out.endWith(TimeoutFallback.FAILURE));
        out.allow(); // the plugin wakes up too late
        assertEquals(PluginOutputs.Verdict.DENY, out.verdict);
    }

    @Test
    public void aSetterRacingTheFallbackNeverWinsAfterIt() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            PluginOutputs.Authorization out = new PluginOutputs.Authorization();
            out.async(Duration.ofSeconds(1), TimeoutFallback.FAILURE);
            CountDownLatch go = new CountDownLatch(1);
            Thread plugin = new Thread(() -> {
                await(go);
                for (int i = 0; i < 50; i++) {
                    out.allow();
                }
            });
            plugin.start();
            go.countDown();
            boolean fellBack = out.endWith(TimeoutFallback.FAILURE); // the timer, on this thread
            plugin.join();
            assertTrue(fellBack);
            assertEquals("round " + round + ": an allow() landed after the fallback denied",
                    PluginOutputs.Verdict.DENY, out.verdict);
        }
    }

    @Test
    public void aLateTopicChangeAfterTheFallbackChangesNothing() {
        PluginOutputs.Publish publish = new PluginOutputs.Publish("a/b", new byte[] {1}, 1, false, -1,
                io.meridianmq.sdk.message.PublishProperties.NONE);
        PluginOutputs.PublishInbound out = new PluginOutputs.PublishInbound(publish);
        out.async(Duration.ofSeconds(1), TimeoutFallback.SUCCESS);
        assertTrue(out.endWith(TimeoutFallback.SUCCESS));
        out.publish().setTopic("elsewhere");
        assertEquals("a/b", publish.topic());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
