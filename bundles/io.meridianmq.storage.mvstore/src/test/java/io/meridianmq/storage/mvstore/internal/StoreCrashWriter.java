package io.meridianmq.storage.mvstore.internal;

import java.util.List;
import java.util.Map;

import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;

/**
 * The process {@link StoreCrashTest} kills: writes to the store as the broker does, one batch
 * after the other, and prints the number of each batch once the store says it is durable.
 *
 * <p>Batch {@code k} puts message {@code k} into each of {@link #SESSIONS} sessions, marks
 * {@code k - 1} as a released QoS 2 message, removes {@code k - 2}, all in one batch, then retains {@code k} on topic {@code r} (a
 * batch of its own); so after batch {@code k} each session holds exactly {@code k - 1} (released)
 * and {@code k}, whatever the commits grouped, and {@code r} holds {@code k} or {@code k - 1}.
 */
public final class StoreCrashWriter {

    private StoreCrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        DurableStore store = DurableStore.open(StoreSettings.from(Map.of("persistence_location", args[0])));
        long first = store.recover(r -> { }) / SESSIONS + 1;
        for (int c = 0; c < SESSIONS; c++) {
            store.batch().putSession("c" + c, 3600, 0, null).submit();
        }
        byte[] payload = new byte[1000];
        for (long k = first;; k++) {
            long reported = k;
            StoredMessage m = new StoredMessage("crash/" + k, payload, 2, false, StoredProperties.NONE, Long.MAX_VALUE,
                    "writer", new int[0], 0, false);
            SessionStore.Batch batch = store.batch(); // all-or-nothing, whatever a crash cuts
            for (int c = 0; c < SESSIONS; c++) {
                // sequences are unique over all sessions, as the broker's are
                batch.putMessage("c" + c, sequence(k, c), m)
                        .updateMessage("c" + c, sequence(k - 1, c), packetId(k - 1), true)
                        .removeMessage("c" + c, sequence(k - 2, c));
            }
            batch.submit();
            store.put(new RetainedMessage("r", Long.toString(k).getBytes(), 1, StoredProperties.NONE, 0));
            store.whenDurable(() -> System.out.println(reported));
            if (k % 64 == 0) {
                // keep the writer's queue short, as MQTT flow control does for the broker
                java.util.concurrent.CountDownLatch durable = new java.util.concurrent.CountDownLatch(1);
                store.whenDurable(durable::countDown);
                durable.await();
            }
        }
    }

    /** Sessions written in each batch: enough that a commit touches many records. */
    static final int SESSIONS = 20;

    /** The store key of batch {@code k}'s message for session {@code c}. */
    static long sequence(long k, int c) {
        return k * SESSIONS + c;
    }

    static int packetId(long sequence) {
        return (int) (sequence % 65535) + 1;
    }

    /** What the session must hold after batch {@code k}: its sequences, oldest first. */
    static List<Long> liveAfter(long k, int c) {
        return k == 1 ? List.of(sequence(1, c)) : List.of(sequence(k - 1, c), sequence(k, c));
    }
}
