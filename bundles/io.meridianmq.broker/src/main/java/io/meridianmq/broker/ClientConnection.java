package io.meridianmq.broker;

import java.util.concurrent.Executor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The port through which the core talks to one connected client; the protocol layer implements
 * it.
 *
 * <p>Threading: the core calls the send methods only on {@link #executor()} and calls
 * {@link #flush()} after a batch of sends. {@link #close(String)} may be called from any thread.
 */
@ConsumerType
public interface ClientConnection {

    /** The single thread that owns this connection (its event loop). */
    Executor executor();

    /**
     * Writes a PUBLISH (without flushing). Returns false when the message was not sent because it
     * is larger than the client's maximum packet size; the core then treats it as delivered.
     */
    boolean sendPublish(OutboundPublish publish);

    /** Writes a PUBREL for an outgoing QoS 2 message (without flushing). */
    void sendPubrel(int packetId);

    /** Flushes what was written. */
    void flush();

    /**
     * Closes the connection on the server's initiative (e.g. session taken over), telling an
     * MQTT 5 client why with a DISCONNECT, and logging {@code detail}.
     */
    void close(DisconnectReason reason, String detail);

    /**
     * Stops reading from the client (back pressure: a session it publishes to is congested).
     * Calls nest: reading goes on after as many {@link #resumeReading()} calls. Called on
     * {@link #executor()}.
     */
    default void pauseReading() {
    }

    /** Undoes one {@link #pauseReading()}. Called on {@link #executor()}. */
    default void resumeReading() {
    }
}
