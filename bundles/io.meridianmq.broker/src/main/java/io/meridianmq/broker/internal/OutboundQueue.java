package io.meridianmq.broker.internal;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import io.meridianmq.storage.StoredMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages waiting for a session's client (offline, or its in-flight window full), oldest
 * first, within {@code max_queued_messages} and {@code max_queued_bytes}: expired and then QoS 0
 * messages make room, anything else over the limits is dropped and counted. A persistent
 * session keeps at most {@link #IN_MEMORY} messages in heap while offline; the rest wait on disk
 * only, by sequence, and are read back in pages as the client takes them, so that the store
 * does not have to fit in heap.
 *
 * <p>Threading: the session's thread only.
 */
final class OutboundQueue {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueue.class);
    static final int IN_MEMORY = 1000;
    static final int PAGE = 500;

    private final String clientId;
    private final StoreMirror mirror;
    /** Told of every message dropped for want of room, with why (for events and metrics). */
    private final BiConsumer<Delivery, String> onDrop;
    /** Told of every expired message taken out to make room (counted, not reported one by one). */
    private final Runnable onExpired;

    /** Shared by every queue that has held nothing yet: only read (empty), never written. */
    private static final ArrayDeque<Delivery> NO_DELIVERIES = new ArrayDeque<>(0);
    private static final ArrayDeque<long[]> NO_PAGES = new ArrayDeque<>(0);

    // the deques are made at the first message (they double as they fill): most sessions queue
    // nothing most of the time, and an idle connection should cost little memory
    private ArrayDeque<Delivery> heap = NO_DELIVERIES;
    private long heapBytes;
    // what a full queue may drop to make room, kept as it changes so that a full queue of QoS 1
    // messages that never expire costs nothing per message: scanning 100,000 of them for each
    // message that arrives held an event loop for tens of seconds under a flood
    /** QoS 0 messages in heap (a full queue drops the oldest of them first). */
    private int qos0InHeap;
    /** No message in heap expires before this (wall clock, ms); Long.MAX_VALUE: none expires. */
    private long earliestExpiry = Long.MAX_VALUE;
    /** Waiting on disk only: {sequence, payload size}, oldest first, all newer than the heap's. */
    private ArrayDeque<long[]> paged = NO_PAGES;
    private long pagedBytes;
    private boolean pagingIn;
    private long dropped;

    OutboundQueue(String clientId, StoreMirror mirror, BiConsumer<Delivery, String> onDrop, Runnable onExpired) {
        this.clientId = clientId;
        this.mirror = mirror;
        this.onDrop = onDrop;
        this.onExpired = onExpired;
    }

    /** Payload bytes waiting, in heap and on disk. */
    long bytes() {
        return heapBytes + pagedBytes;
    }

    /** Heap and disk together. */
    int size() {
        return heap.size() + paged.size();
    }

    boolean isEmpty() {
        return heap.isEmpty() && paged.isEmpty();
    }

    /**
     * Queues {@code d} within the settings' limits, or drops (and forgets) it; {@code offline}
     * lets a message already on disk wait there only.
     */
    void offer(Delivery d, BrokerSettings settings, boolean offline) {
        offer(d, settings.maxQueuedMessages(), settings.maxQueuedBytes(), offline);
    }

    /** Queues {@code d} within {@code limit} messages and {@code byteLimit} bytes (0: none), or drops it. */
    void offer(Delivery d, int limit, long byteLimit, boolean offline) {
        int size = d.size();
        while ((size() >= limit || (byteLimit > 0 && heapBytes + pagedBytes + size > byteLimit))
                && dropExpiredOrQos0()) {
            // made room; check again
        }
        if (size() >= limit || (byteLimit > 0 && heapBytes + pagedBytes + size > byteLimit && size() > 0)) {
            countDrop(d, size() >= limit ? "queue full (max_queued_messages = " + limit + ")"
                    : "queue full (max_queued_bytes = " + byteLimit + ")");
            mirror.forget(d);
            return;
        }
        if (d.sequence != 0 && d.qos > 0 && !d.intercepted && d.sharedGroup == null
                && (!paged.isEmpty() || (offline && heap.size() >= IN_MEMORY))) {
            // on disk already: keep only its number (and after the paged ones, to keep the order)
            addPaged(d.sequence, size);
            return;
        }
        addToHeap(d);
    }

    /**
     * Restores a message from the store at start-up, in order: in heap until it holds
     * {@link #IN_MEMORY} when {@code pageable} (it is in the store), in heap always otherwise.
     */
    void restore(Delivery d, boolean pageable) {
        if (pageable && (heap.size() >= IN_MEMORY || !paged.isEmpty())) {
            addPaged(d.sequence, d.size());
        } else {
            addToHeap(d);
        }
    }

    private void addToHeap(Delivery d) {
        if (heap == NO_DELIVERIES) {
            heap = new ArrayDeque<>(4);
        }
        heap.add(d);
        heapBytes += d.size();
        if (d.qos == 0) {
            qos0InHeap++;
        }
        earliestExpiry = Math.min(earliestExpiry, d.message.expiresAtMillis());
    }

    private void removedFromHeap(Delivery d) {
        heapBytes -= d.size();
        if (d.qos == 0) {
            qos0InHeap--;
        }
    }

    private void addPaged(long sequence, int size) {
        if (paged == NO_PAGES) {
            paged = new ArrayDeque<>(4);
        }
        paged.add(new long[] {sequence, size});
        pagedBytes += size;
    }

    /** The store keys of the messages waiting on disk only, oldest first (nothing is taken). */
    long[] pagedSequences() {
        long[] sequences = new long[paged.size()];
        int i = 0;
        for (long[] e : paged) {
            sequences[i++] = e[0];
        }
        return sequences;
    }

    /** The oldest message in heap, or null (then {@link #needsPageIn()} may say to read more). */
    Delivery peek() {
        return heap.peek();
    }

    Delivery poll() {
        Delivery d = heap.poll();
        removedFromHeap(d);
        return d;
    }

    /** Whether the heap is empty while messages wait on disk and no page is being read. */
    boolean needsPageIn() {
        return heap.isEmpty() && !paged.isEmpty() && !pagingIn;
    }

    /** Takes the next page of sequences to read back; {@link #pagedIn} adds what was found. */
    long[] nextPage() {
        pagingIn = true;
        long[] sequences = new long[Math.min(PAGE, paged.size())];
        for (int i = 0; i < sequences.length; i++) {
            long[] e = paged.poll();
            sequences[i] = e[0];
            pagedBytes -= e[1];
        }
        return sequences;
    }

    void pagedIn(Map<Long, StoredMessage> found) {
        pagingIn = false;
        found.forEach((sequence, m) -> addToHeap(Delivery.restored(sequence, m)));
    }

    /** The messages in heap, oldest first; removing through the iterator takes one out. */
    Iterator<Delivery> inHeap() {
        Iterator<Delivery> it = heap.iterator();
        return new Iterator<>() {
            private Delivery last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Delivery next() {
                last = it.next();
                return last;
            }

            @Override
            public void remove() {
                it.remove();
                removedFromHeap(last);
            }
        };
    }

    /** Moves the messages in heap that came through a shared subscription into {@code into}, for another member. */
    void takeShared(List<Delivery> into) {
        for (Iterator<Delivery> it = inHeap(); it.hasNext();) {
            Delivery d = it.next();
            if (d.sharedGroup != null) {
                into.add(d);
                it.remove();
            }
        }
    }

    /** The session stops being persistent: what waits on disk only goes with it (logged, counted). */
    void dropPaged() {
        if (!paged.isEmpty()) {
            LOG.warn("Client '{}' reconnected without a session expiry: its {} message(s) waiting on disk are "
                    + "dropped with the persistent session", clientId, paged.size());
            dropped += paged.size();
            paged = NO_PAGES;
            pagedBytes = 0;
        }
    }

    void clear() {
        heap = NO_DELIVERIES; // and the arrays a long queue grew go with them
        heapBytes = 0;
        qos0InHeap = 0;
        earliestExpiry = Long.MAX_VALUE;
        paged = NO_PAGES;
        pagedBytes = 0;
    }

    private void countDrop(Delivery d, String why) {
        dropped++;
        onDrop.accept(d, why);
        if (dropped == 1 || dropped % 1000 == 0) {
            LOG.warn("Client '{}': {}, dropped {} message(s) so far (QoS 0 ones first)", clientId, why, dropped);
        }
    }

    /**
     * Makes room: expired messages first, then the oldest QoS 0 one. Looks through the queue only
     * when one may have expired or a QoS 0 one is there (counted as the queue changes).
     */
    private boolean dropExpiredOrQos0() {
        long now = System.currentTimeMillis();
        if (now >= earliestExpiry) {
            boolean removed = false;
            long earliest = Long.MAX_VALUE;
            for (Iterator<Delivery> it = inHeap(); it.hasNext();) {
                Delivery d = it.next();
                if (d.message.isExpired(now)) {
                    it.remove();
                    mirror.forget(d);
                    onExpired.run();
                    removed = true;
                } else {
                    earliest = Math.min(earliest, d.message.expiresAtMillis());
                }
            }
            earliestExpiry = earliest;
            if (removed) {
                return true;
            }
        }
        if (qos0InHeap > 0) {
            for (Iterator<Delivery> it = inHeap(); it.hasNext();) {
                Delivery d = it.next();
                if (d.qos == 0) {
                    it.remove();
                    countDrop(d, "queue full, QoS 0 message dropped to make room");
                    return true;
                }
            }
        }
        return false;
    }
}
