package io.meridianmq.broker.internal;

/**
 * The names of the entries of a persistent session in the cluster's copy: its header, one per
 * subscription, message, delivery state and QoS 2 exchange awaiting PUBREL, and a delayed will.
 *
 * <p>Threading: stateless.
 */
final class ReplicaKeys {

    static final String SESSION = "s";
    static final String SUBSCRIPTION = "u:";
    static final String MESSAGE = "m:";
    static final String DELIVERY = "d:";
    static final String INCOMING_QOS2 = "q:";
    /** A will waiting for its delay (the client left): published by whichever node has the session then. */
    static final String WILL = "w";

    private ReplicaKeys() {
    }

    static String subscription(String key) {
        return SUBSCRIPTION + key;
    }

    static String message(long sequence) {
        return MESSAGE + sequence;
    }

    static String delivery(long sequence) {
        return DELIVERY + sequence;
    }

    static String incomingQos2(int packetId) {
        return INCOMING_QOS2 + packetId;
    }
}
