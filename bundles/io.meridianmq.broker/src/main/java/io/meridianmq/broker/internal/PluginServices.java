package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.meridianmq.broker.ClientConnection;
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

    PluginServices(CoreParts core) {
        this.core = core;
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
