package io.meridianmq.bridge.mqtt.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recognises a message the remote broker sends back to the bridge right after the bridge sent it
 * there (an MQTT 3.1.1 remote has no no-local subscriptions): each message sent out is remembered,
 * by topic and payload, for {@link #WINDOW_MILLIS} and at most {@link #CAPACITY} of them; the first
 * identical message coming in within that time is the echo and is dropped. The price: a message
 * published on the remote side, identical to one just sent there, within that time, is dropped too.
 *
 * <p>Threading: synchronized (the bridge's thread sends, the client library's thread receives).
 */
final class EchoGuard {

    static final long WINDOW_MILLIS = 30_000;
    static final int CAPACITY = 10_000;

    /** Fingerprint to how many copies are out, oldest first (for the window and the capacity). */
    private final LinkedHashMap<Key, Sent> sent = new LinkedHashMap<>();

    private record Key(String topic, int payloadHash, int length) {
    }

    private static final class Sent {
        int copies;
        long at;
    }

    private static Key key(String topic, byte[] payload) {
        return new Key(topic, Arrays.hashCode(payload), payload.length);
    }

    /** The bridge sent {@code payload} to the remote {@code topic} now. */
    synchronized void sent(String topic, byte[] payload, long nowMillis) {
        expire(nowMillis);
        Sent s = sent.remove(key(topic, payload));
        if (s == null) {
            s = new Sent();
        }
        s.copies++;
        s.at = nowMillis;
        sent.put(key(topic, payload), s); // to the end: the newest
        if (sent.size() > CAPACITY) {
            Iterator<Map.Entry<Key, Sent>> oldest = sent.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** Whether {@code payload} on the remote {@code topic} is the echo of one the bridge sent (then it is counted off). */
    synchronized boolean isEcho(String topic, byte[] payload, long nowMillis) {
        expire(nowMillis);
        Key k = key(topic, payload);
        Sent s = sent.get(k);
        if (s == null) {
            return false;
        }
        if (--s.copies == 0) {
            sent.remove(k);
        }
        return true;
    }

    private void expire(long nowMillis) {
        Iterator<Map.Entry<Key, Sent>> it = sent.entrySet().iterator();
        while (it.hasNext() && nowMillis - it.next().getValue().at > WINDOW_MILLIS) {
            it.remove();
        }
    }

    synchronized int size() {
        return sent.size();
    }
}
