package io.meridianmq.broker.internal;

import io.meridianmq.broker.WillMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes wills: a will is authorized as a PUBLISH of its owner (when authorizers are
 * installed) and then routed like any message. Thread-safe; the decision completes on a plugin
 * thread or inline.
 */
final class WillPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(WillPublisher.class);

    private final PluginHost plugins;
    private final Router router;

    WillPublisher(PluginHost plugins, Router router) {
        this.plugins = plugins;
        this.router = router;
    }

    /** Publishes {@code will} of {@code owner} now. */
    void publish(ClientIdentity owner, WillMessage will) {
        Message m = new Message(will.topic(), will.payload(), will.qos(), will.retain(), will.properties(),
                Message.expiryFrom(will.messageExpirySeconds(), System.currentTimeMillis()), owner.clientId());
        if (!plugins.hasAuthorizers()) {
            router.route(m);
            return;
        }
        plugins.authorizePublish(owner, will.topic(), will.qos(), will.retain()).thenAccept(d -> {
            if (d.verdict == PluginOutputs.Verdict.ALLOW) {
                router.route(m);
            } else {
                LOG.info("Client {}: will to '{}' denied by authorization; dropped", owner, will.topic());
            }
        });
    }
}
