package io.meridianmq.broker.internal;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages sent to the client and not yet acknowledged (QoS 1 and 2), by packet id in the
 * order sent, and how many may be at once (the client's receive maximum, capped by
 * {@code max_inflight_messages}).
 *
 * <p>Threading: the session's thread only.
 */
final class InflightWindow {

    /** Empty (shared) until the first message is sent: an idle client has none in flight. */
    private Map<Integer, Delivery> sent = Collections.emptyMap();
    private int window = 1;
    private int lastPacketId;

    /** A new connection's receive maximum, capped by the broker's limit. */
    void resize(int receiveMaximum, int brokerMaximum) {
        window = Math.max(1, Math.min(brokerMaximum, receiveMaximum));
    }

    int size() {
        return sent.size();
    }

    boolean full() {
        return sent.size() >= window;
    }

    /** Gives {@code d} the next free packet id (1 to 65535, wrapping) and records it as sent. */
    void add(Delivery d) {
        do {
            lastPacketId = lastPacketId == 65535 ? 1 : lastPacketId + 1;
        } while (sent.containsKey(lastPacketId));
        d.packetId = lastPacketId;
        writable().put(d.packetId, d);
    }

    /** A QoS 2 message restored with the packet id it was sent with; false when that id is taken. */
    boolean restore(Delivery d) {
        if (sent.containsKey(d.packetId)) {
            return false;
        }
        writable().put(d.packetId, d);
        lastPacketId = Math.max(lastPacketId, d.packetId);
        return true;
    }

    Delivery get(int packetId) {
        return sent.get(packetId);
    }

    Delivery remove(int packetId) {
        return sent.remove(packetId);
    }

    /** In the order sent; removing through its iterator takes a message out of the window. */
    Collection<Delivery> all() {
        return sent.values();
    }

    /**
     * Moves the messages that came through a shared subscription and are not yet PUBREC'd (a
     * QoS 2 message the client has received stays) into {@code into}, for another member.
     */
    void takeShared(List<Delivery> into) {
        for (Iterator<Delivery> it = sent.values().iterator(); it.hasNext();) {
            Delivery d = it.next();
            if (d.sharedGroup != null && !d.released) {
                into.add(d);
                it.remove();
            }
        }
    }

    void clear() {
        sent.clear();
    }

    private Map<Integer, Delivery> writable() {
        if (sent == Collections.<Integer, Delivery>emptyMap()) {
            sent = new LinkedHashMap<>();
        }
        return sent;
    }
}
