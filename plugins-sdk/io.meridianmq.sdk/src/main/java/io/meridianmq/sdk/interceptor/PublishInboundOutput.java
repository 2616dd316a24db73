package io.meridianmq.sdk.interceptor;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.AsyncOutput;
import io.meridianmq.sdk.async.TimeoutFallback;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The PUBLISH as it will be routed, and the power to drop it.
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: never returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface PublishInboundOutput extends AsyncOutput {

    /** The message, to read and change. */
    ModifiablePublish publish();

    /**
     * Drops the message: it is not routed; a QoS 1/2 publisher is still acknowledged (MQTT 5:
     * reason 0x83 implementation specific error). {@code reason} is logged.
     */
    void drop(String reason);

    /**
     * The message cannot be taken now (a system it must reach first is away, e.g. a Kafka bridge
     * acknowledging only what Kafka acknowledged): it is not routed and the publisher is not told
     * it is safe: a QoS 1/2 MQTT 5 publisher gets reason 0x80 (unspecified error), an MQTT 3.1.1
     * one is disconnected, so that it sends the message again. {@code reason} is logged. (The
     * default, for test doubles written against SDK 1.0, drops the message.)
     *
     * @since 1.1
     */
    default void fail(String reason) {
        drop(reason);
    }

    /**
     * The message goes on now (it is routed), but its publisher's PUBACK or PUBREC waits until
     * {@code handedOn} completes: normally on success; on failure the publisher is told the
     * message is not safe (MQTT 5: reason 0x80; an MQTT 3.1.1 publisher is disconnected) and sends
     * it again, so its subscribers here may get it twice. For a plugin that hands messages on to
     * another system and must not let the publisher believe one is safe before that system has it
     * (a Kafka bridge), without holding up the publisher's next messages: they are intercepted
     * and routed meanwhile, and the acknowledgements go out in order. Ignored for QoS 0. Call it
     * before the interceptor returns (or resumes). (The default, for outputs written against SDK
     * 1.0 such as test doubles, keeps the same guarantee the slow way: the message waits,
     * asynchronously, up to {@link #HAND_ON_AT_MOST}, and is failed if {@code handedOn} fails.)
     *
     * @since 1.1
     */
    default void acknowledgeAfter(CompletionStage<?> handedOn) {
        Async waiting = async(HAND_ON_AT_MOST, TimeoutFallback.FAILURE);
        handedOn.whenComplete((done, failure) -> {
            if (failure != null) {
                fail("not handed on: " + failure);
            }
            waiting.resume();
        });
    }

    /**
     * How long {@link #acknowledgeAfter}'s default lets a message wait for its hand-over.
     *
     * @since 1.1
     */
    Duration HAND_ON_AT_MOST = Duration.ofMinutes(2);
}
