package io.meridianmq.protocol.internal;

import java.util.HashSet;
import java.util.Set;

import io.meridianmq.broker.DisconnectReason;

/**
 * What an MQTT 5 client's PUBLISHes carry over from one packet to the next: the topic aliases
 * it has set (up to the broker's Topic Alias Maximum) and its QoS 1 and 2 messages not yet
 * acknowledged (at most the broker's Receive Maximum).
 *
 * <p>Threading: the channel's event loop only.
 */
final class InboundFlow {

    private final int topicAliasMaximum;
    /** The topics by alias (index 1 to the maximum); made when the client sets its first alias. */
    private String[] topicAliases;
    private final int receiveMaximum;
    /**
     * Packet ids of QoS 1/2 PUBLISHes from the client not yet fully acknowledged; made at the
     * first one (an idle or QoS 0 client needs none).
     */
    private Set<Integer> unacknowledged;

    InboundFlow(int topicAliasMaximum, int receiveMaximum) {
        this.topicAliasMaximum = topicAliasMaximum;
        this.receiveMaximum = receiveMaximum;
    }

    /**
     * The topic of a PUBLISH with topic alias {@code alias}: a PUBLISH with a topic sets the
     * alias, one without uses it.
     */
    String topic(String topic, int alias) throws PacketRuleViolation {
        if (alias == 0 || alias > topicAliasMaximum) {
            throw new PacketRuleViolation(DisconnectReason.TOPIC_ALIAS_INVALID, "used topic alias " + alias
                    + " (topic alias maximum is " + topicAliasMaximum + ")");
        }
        if (!topic.isEmpty()) {
            if (topicAliases == null) {
                topicAliases = new String[topicAliasMaximum + 1];
            }
            topicAliases[alias] = topic;
            return topic;
        }
        String known = topicAliases == null ? null : topicAliases[alias];
        if (known == null) {
            throw PacketRuleViolation.protocol("used topic alias " + alias + " before setting it");
        }
        return known;
    }

    /** Counts a QoS 1/2 PUBLISH until it is acknowledged (a resend of one counted already is not counted twice). */
    void received(int packetId) throws PacketRuleViolation {
        if (unacknowledged == null) {
            unacknowledged = new HashSet<>();
        }
        if (!unacknowledged.contains(packetId)) {
            if (unacknowledged.size() >= receiveMaximum) {
                throw new PacketRuleViolation(DisconnectReason.RECEIVE_MAXIMUM_EXCEEDED, "sent more than receive maximum "
                        + receiveMaximum + " unacknowledged QoS 1/2 messages");
            }
            unacknowledged.add(packetId);
        }
    }

    /** PUBACK, PUBCOMP or an error PUBREC sent: the exchange no longer counts. */
    void acknowledged(int packetId) {
        if (unacknowledged != null) {
            unacknowledged.remove(packetId);
        }
    }
}
