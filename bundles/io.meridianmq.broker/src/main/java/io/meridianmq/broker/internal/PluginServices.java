package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.sdk.service.RetainedMessageView;
import io.meridianmq.sdk.topic.Topics;

/**
 * The broker as plugins see it ({@link BrokerServices}): publish, the connected clients and their
 * subscriptions, the retained messages, disconnecting a client. Thread-safe; nothing blocks.
 */
final class PluginServices implements BrokerServices {

    private final CoreParts core;
    private final ConnectFlow connects;

    PluginServices(CoreParts core, ConnectFlow connects) {
        this.core = core;
        this.connects = connects;
    }

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties) {
        if (!Topics.isValidTopicName(topic)) {
            throw new IllegalArgumentException("not a valid topic name: '" + topic + "'");
        }
        core.router.route(new Message(topic, payload.clone(), Math.min(qos, core.settings().maximumQos()), retain,
                properties, Long.MAX_VALUE, null));
    }

    @Override
    public java.util.concurrent.CompletionStage<io.meridianmq.sdk.service.PluginSession> openSession(String clientId,
            long sessionExpirySeconds, int receiveMaximum, int maxQueuedMessages,
            io.meridianmq.sdk.service.PluginSessionReceiver receiver) {
        if (clientId.isEmpty() || sessionExpirySeconds < 0 || sessionExpirySeconds > ConnectRequest.NEVER_EXPIRES
                || receiveMaximum < 1 || receiveMaximum > 65535 || maxQueuedMessages < 0) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a plugin session needs a client id, a session expiry of 0 to 0xFFFFFFFF, a receive maximum "
                            + "of 1 to 65535 and a queue bound of 0 or more (got '" + clientId + "', "
                            + sessionExpirySeconds + ", " + receiveMaximum + ", " + maxQueuedMessages + ")"));
        }
        PluginSessionLink link = new PluginSessionLink(clientId, receiver, core.threads.offlineExecutor(clientId),
                maxQueuedMessages);
        // trusted (a plugin): authenticated as itself, from this process
        ConnectRequest request = new ConnectRequest(clientId, sessionExpirySeconds == 0, 0, null, null, null,
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), PLUGIN_LISTENER, 5,
                sessionExpirySeconds, receiveMaximum, "plugin", io.meridianmq.sdk.auth.Identity.asPresented(), null);
        return connects.connect(request, link).thenApply(result -> {
            if (!result.accepted()) {
                throw new IllegalStateException("the broker refused plugin session '" + clientId + "': "
                        + result.reason());
            }
            link.accepted(result.session(), result.sessionPresent());
            result.session().open();
            return link;
        });
    }

    /** The listener name plugin sessions show (in logs, events and the REST API). */
    static final String PLUGIN_LISTENER = "(plugin)";

    @Override
    public Collection<ClientInfo> connectedClients() {
        List<ClientInfo> clients = new ArrayList<>();
        for (Session s : core.registry.sessions()) {
            ClientIdentity who = s.identity;
            if (s.owner != null && who != null) {
                clients.add(who);
            }
        }
        return clients;
    }

    @Override
    public Map<String, Integer> subscriptions(String clientId) {
        Session s = core.registry.find(clientId);
        return s == null ? Map.of() : s.subscriptionSnapshot();
    }

    @Override
    public List<RetainedMessageView> retained(String topicFilter, int limit) {
        return core.retained.matching(topicFilter, limit);
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        Session s = core.registry.find(clientId);
        ClientConnection owner = s == null ? null : s.owner;
        if (owner == null) {
            return false;
        }
        owner.close(DisconnectReason.ADMINISTRATIVE_ACTION, "disconnected by a plugin or operator: " + reason);
        return true;
    }
}
