package io.meridianmq.broker.internal;

import java.util.concurrent.atomic.LongAdder;

import io.meridianmq.broker.DropReason;

/**
 * Counts the messages and payload bytes that come in and go out, by QoS, and the messages
 * dropped, by reason. A {@link LongAdder} per figure: the publish path adds without a lock and
 * without contending on one memory word; readers sum when asked.
 *
 * <p>Threading: any thread.
 */
final class Traffic {

    private final LongAdder[] received = adders(3);
    private final LongAdder[] receivedBytes = adders(3);
    private final LongAdder[] sent = adders(3);
    private final LongAdder[] sentBytes = adders(3);
    private final LongAdder[] dropped = adders(DropReason.values().length);

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    void received(int qos, int payloadBytes) {
        received[qos].increment();
        receivedBytes[qos].add(payloadBytes);
    }

    void sent(int qos, int payloadBytes) {
        sent[qos].increment();
        sentBytes[qos].add(payloadBytes);
    }

    void dropped(DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    long received(int qos) {
        return received[qos].sum();
    }

    long receivedBytes(int qos) {
        return receivedBytes[qos].sum();
    }

    long sent(int qos) {
        return sent[qos].sum();
    }

    long sentBytes(int qos) {
        return sentBytes[qos].sum();
    }

    long droppedFor(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    /** Every message dropped so far, whatever the reason. */
    long droppedInAll() {
        long n = 0;
        for (LongAdder a : dropped) {
            n += a.sum();
        }
        return n;
    }
}
