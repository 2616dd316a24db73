package io.meridianmq.bridge.mqtt.internal;

import java.util.concurrent.CompletionStage;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * One connection of a bridge to the remote broker, over an MQTT client library (Paho 3.1.1 or 5):
 * connect, subscribe, publish with completion on the remote's acknowledgement, and messages in
 * whose acknowledgement to the remote waits until the bridge took them. A connection is used once:
 * after it is lost the bridge opens a new one.
 *
 * <p>Threading: thread-safe; no method blocks; the listener is called on the library's thread.
 */
interface RemoteConnection {

    /** What the remote broker sends the bridge. */
    interface Listener {
        /** A message from the remote broker; {@code acknowledge} answers the remote once the bridge took it. */
        void arrived(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties,
                Runnable acknowledge);

        /** The connection was lost (not after {@link #close}). */
        void lost(String why);
    }

    /** Connects; completes when the remote broker accepted (CONNACK), fails with why it did not. */
    CompletionStage<Void> connect();

    /** Subscribes (with {@code noLocal} when the protocol has it); completes when the remote granted it. */
    CompletionStage<Void> subscribe(String filter, int qos, boolean noLocal);

    /** Publishes; completes when the remote broker acknowledged it (at once for QoS 0). */
    CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain, PublishProperties properties);

    /** Ends the connection (with DISCONNECT when still connected) and frees it. */
    void close();
}
