package io.meridianmq.sdk.interceptor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every PUBLISH just before it goes to one subscriber (retained messages included) and may
 * change that subscriber's copy or withhold it. Runs for every delivery, so keep it light.
 *
 * <p>Threading: called on a broker plugin thread; the messages to one subscriber are intercepted
 * in order. A callback that throws or does not resume in time sends the message unchanged by
 * this plugin ({@code SUCCESS} fallback) or drops it ({@code FAILURE}, when it went asynchronous
 * with that fallback), with a log line naming the plugin.
 *
 * <p>Nullness: arguments are never {@code null}.
 *
 * @since 1.0
 */
@ConsumerType
public interface PublishOutboundInterceptor {

    void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output);
}
