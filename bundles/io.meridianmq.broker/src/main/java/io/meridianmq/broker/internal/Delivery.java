package io.meridianmq.broker.internal;

import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.storage.StoredMessage;

/**
 * A message on its way to one session's client, with what the session knows of its progress
 * (packet id, released, authorized for which connection, where it is stored).
 *
 * <p>Threading: made by the router on a publisher's thread, then owned by the session's thread
 * (its mailbox) once handed over; the mutable fields are touched there only.
 */
final class Delivery {

    private static final int[] NO_IDS = new int[0];

    final Message message;
    final int qos;
    final boolean retain;
    final int[] subscriptionIds;
    /** The shared subscription group it came through, or null. */
    final SubscriptionTree.SharedGroup sharedGroup;
    int packetId;
    boolean released; // QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP
    boolean intercepted; // outbound interceptors already saw it
    /**
     * The connection (by the session's connection count) whose permissions last allowed it;
     * 0: none yet (queued offline, or restored), so it is authorized again before it is sent.
     */
    int authorizedEpoch;
    /** Its key in the store (unique, increasing), or 0 when it is not stored. */
    long sequence;
    /** The message's id in a cluster ({@link io.meridianmq.cluster.ClusterFabric.Forwarding#messageId}), or null. */
    String clusterId;

    Delivery(Message message, int qos, boolean retain, int[] subscriptionIds,
            SubscriptionTree.SharedGroup sharedGroup) {
        this.message = message;
        this.qos = qos;
        this.retain = retain;
        this.subscriptionIds = subscriptionIds == null ? NO_IDS : subscriptionIds;
        this.sharedGroup = sharedGroup;
    }

    /** A delivery read back from the store (after a restart, or paged in from disk). */
    static Delivery restored(long sequence, StoredMessage m) {
        Message message = new Message(m.topic(), m.payload(), m.qos(), m.retain(), PropertiesInStore.fromStore(m.properties()),
                m.expiresAtMillis(),
                m.publisherId());
        Delivery d = new Delivery(message, m.qos(), m.retain(), m.subscriptionIds(), null);
        d.sequence = sequence;
        return d;
    }

    int size() {
        return message.payload().length;
    }

    StoredMessage toStored() {
        return new StoredMessage(message.topic(), message.payload(), qos, retain, PropertiesInStore.toStore(message.properties()),
                message.expiresAtMillis(), message.publisherId(), subscriptionIds, packetId, released);
    }

    OutboundPublish toPublish(long nowMillis, boolean dup) {
        return new OutboundPublish(packetId, message.topic(), message.payload(), qos, retain, dup,
                message.remainingExpirySeconds(nowMillis), message.properties(), subscriptionIds);
    }
}
