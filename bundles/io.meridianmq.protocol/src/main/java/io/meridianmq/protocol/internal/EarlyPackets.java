package io.meridianmq.protocol.internal;

import java.util.ArrayDeque;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;

/**
 * The packets a client sends after CONNECT and before its CONNACK, while the broker decides on
 * it: held in order (at most {@link #MAX}) and handed back once the connection is accepted, or
 * released when it ends.
 *
 * <p>Threading: the channel's event loop only.
 */
final class EarlyPackets {

    static final int MAX = 1000;

    // null until a client sends before its CONNACK (most wait): an idle connection holds nothing here
    private ArrayDeque<MqttMessage> held;

    /** Keeps {@code message} (retained) for later; false when {@link #MAX} are held already. */
    boolean hold(MqttMessage message) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        if (held.size() >= MAX) {
            return false;
        }
        ReferenceCountUtil.retain(message);
        held.add(message);
        return true;
    }

    /** The oldest packet held, or null; the caller releases it. */
    MqttMessage next() {
        return held == null ? null : held.poll();
    }

    /** The connection ended: every packet held is released. */
    void releaseAll() {
        if (held == null) {
            return;
        }
        for (MqttMessage m : held) {
            ReferenceCountUtil.release(m);
        }
        held = null;
    }
}
