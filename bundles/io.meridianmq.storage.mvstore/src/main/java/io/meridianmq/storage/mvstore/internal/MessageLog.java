package io.meridianmq.storage.mvstore.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meridianmq.storage.StoredMessage;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * The queued and in-flight messages of all persistent sessions, kept as a log in the store file: the
 * messages put during one commit go into one <em>segment</em> record, the ones removed during
 * one commit into one <em>tombstone</em> record (their sequence numbers). A commit thus writes
 * a few records, not one per message, which is what makes durable QoS 1 cheap; a segment goes
 * once all its messages are removed, a tombstone once all the segments it points into are gone.
 * A message put and removed within the same commit (an online subscriber acknowledging quickly)
 * is never written at all.
 *
 * <p>QoS 2 state (packet id, released) of a stored message is a small record of its own.
 *
 * <p>Threading: the store's writer thread only.
 */
final class MessageLog {

    private final MVMap<Long, byte[]> segments;
    private final MVMap<Long, long[]> tombstones;
    private final MVMap<Long, Long> states;
    private long nextRecordId = 1;
    private long highestSequence;

    // what the current commit will write
    private final LinkedHashMap<Long, RecordCodec.OwnedMessage> burstPuts = new LinkedHashMap<>();
    private final HashMap<Long, Long> burstStates = new HashMap<>();
    private final List<Long> burstRemoved = new ArrayList<>();

    // indexes of what is on disk (rebuilt by load)
    private final HashMap<Long, Long> segmentOf = new HashMap<>();
    private final HashMap<Long, int[]> liveInSegment = new HashMap<>();
    private final HashMap<Long, HashSet<Long>> tombstonesOfSegment = new HashMap<>();
    private final HashMap<Long, HashSet<Long>> segmentsOfTombstone = new HashMap<>();
    private final HashMap<String, HashSet<Long>> sequencesByClient = new HashMap<>();
    private final HashSet<Long> withState = new HashSet<>();

    MessageLog(MVStore db) {
        segments = db.openMap("message-segments", new MVMap.Builder<Long, byte[]>()
                .keyType(org.h2.mvstore.type.LongDataType.INSTANCE)
                .valueType(org.h2.mvstore.type.ByteArrayDataType.INSTANCE));
        tombstones = db.openMap("message-tombstones", new MVMap.Builder<Long, long[]>()
                .keyType(org.h2.mvstore.type.LongDataType.INSTANCE).valueType(LongArrays.INSTANCE));
        states = db.openMap("message-states", new MVMap.Builder<Long, Long>()
                .keyType(org.h2.mvstore.type.LongDataType.INSTANCE).valueType(org.h2.mvstore.type.LongDataType.INSTANCE));
    }

    /**
     * Reads every segment and tombstone (so that damage shows at start), rebuilds the indexes
     * and removes what is dead; the caller commits.
     */
    void load() {
        Map<Long, Long> removedBy = new HashMap<>();
        for (Map.Entry<Long, long[]> t : tombstones.entrySet()) {
            nextRecordId = Math.max(nextRecordId, t.getKey() + 1);
            segmentsOfTombstone.put(t.getKey(), new HashSet<>());
            for (long sequence : t.getValue()) {
                removedBy.put(sequence, t.getKey());
                // a key a tombstone names must never be handed out again, or the new message
                // would be taken for the removed one at the next start
                highestSequence = Math.max(highestSequence, sequence);
            }
        }
        List<Long> empty = new ArrayList<>();
        for (Map.Entry<Long, byte[]> s : segments.entrySet()) {
            long segment = s.getKey();
            nextRecordId = Math.max(nextRecordId, segment + 1);
            int live = 0;
            for (RecordCodec.SegmentEntry e : RecordCodec.segment(s.getValue())) {
                highestSequence = Math.max(highestSequence, e.sequence());
                Long tombstone = removedBy.get(e.sequence());
                if (tombstone != null) {
                    segmentsOfTombstone.get(tombstone).add(segment);
                    tombstonesOfSegment.computeIfAbsent(segment, k -> new HashSet<>()).add(tombstone);
                } else {
                    segmentOf.put(e.sequence(), segment);
                    sequencesByClient.computeIfAbsent(e.owned().clientId(), k -> new HashSet<>()).add(e.sequence());
                    live++;
                }
            }
            liveInSegment.put(segment, new int[] {live});
            if (live == 0) {
                empty.add(segment);
            }
        }
        empty.forEach(this::deleteSegment);
        for (Map.Entry<Long, HashSet<Long>> t : new ArrayList<>(segmentsOfTombstone.entrySet())) {
            if (t.getValue().isEmpty()) {
                tombstones.remove(t.getKey());
                segmentsOfTombstone.remove(t.getKey());
            }
        }
        for (Long sequence : new ArrayList<>(states.keySet())) {
            if (segmentOf.containsKey(sequence)) {
                withState.add(sequence);
            } else {
                states.remove(sequence);
            }
        }
    }

    /** Passes every live message with its sequence number, oldest segment first. */
    void forEachLive(java.util.function.BiConsumer<Long, RecordCodec.OwnedMessage> consumer) {
        for (Map.Entry<Long, byte[]> s : segments.entrySet()) {
            for (RecordCodec.SegmentEntry e : RecordCodec.segment(s.getValue())) {
                if (s.getKey().equals(segmentOf.get(e.sequence()))) {
                    Long state = withState.contains(e.sequence()) ? states.get(e.sequence()) : null;
                    StoredMessage m = e.owned().message();
                    if (state != null) {
                        m = new StoredMessage(m.topic(), m.payload(), m.qos(), m.retain(), m.properties(),
                                m.expiresAtMillis(), m.publisherId(), m.subscriptionIds(), (int) (state >>> 1),
                                (state & 1) != 0);
                    }
                    consumer.accept(e.sequence(), new RecordCodec.OwnedMessage(e.owned().clientId(), m));
                }
            }
        }
    }

    /** The messages asked for that are still live, in that order (writer thread). */
    Map<Long, StoredMessage> read(long[] sequences) {
        Map<Long, StoredMessage> found = new LinkedHashMap<>();
        Map<Long, Map<Long, StoredMessage>> decoded = new HashMap<>();
        for (long sequence : sequences) {
            RecordCodec.OwnedMessage pending = burstPuts.get(sequence);
            if (pending != null) {
                found.put(sequence, pending.message());
                continue;
            }
            Long segment = segmentOf.get(sequence);
            if (segment == null) {
                continue;
            }
            StoredMessage m = decoded.computeIfAbsent(segment, s -> {
                Map<Long, StoredMessage> bySequence = new HashMap<>();
                byte[] record = segments.get(s);
                if (record != null) {
                    RecordCodec.segment(record).forEach(e -> bySequence.put(e.sequence(), e.owned().message()));
                }
                return bySequence;
            }).get(sequence);
            if (m != null) {
                found.put(sequence, m); // QoS 2 state is not needed: paged messages were never sent
            }
        }
        return found;
    }

    long highestSequence() {
        return highestSequence;
    }

    int liveCount() {
        return segmentOf.size();
    }

    /** Segment and tombstone records on disk (for tests: dead ones must go). */
    long recordCount() {
        return segments.sizeAsLong() + tombstones.sizeAsLong();
    }

    void put(String clientId, long sequence, StoredMessage message) {
        burstPuts.put(sequence, new RecordCodec.OwnedMessage(clientId, message));
        sequencesByClient.computeIfAbsent(clientId, k -> new HashSet<>()).add(sequence);
        if (message.packetId() != 0) {
            burstStates.put(sequence, RecordCodec.messageState(message.packetId(), message.released()));
        } else {
            burstStates.remove(sequence);
        }
    }

    void update(long sequence, long state) {
        if (burstPuts.containsKey(sequence)) {
            burstStates.put(sequence, state);
        } else if (segmentOf.containsKey(sequence)) {
            states.put(sequence, state);
            withState.add(sequence);
        }
    }

    void remove(String clientId, long sequence) {
        HashSet<Long> owned = sequencesByClient.get(clientId);
        if (owned != null && owned.remove(sequence) && owned.isEmpty()) {
            sequencesByClient.remove(clientId);
        }
        forget(sequence);
    }

    /** Removes every message of {@code clientId}. */
    void removeAll(String clientId) {
        HashSet<Long> owned = sequencesByClient.remove(clientId);
        if (owned != null) {
            owned.forEach(this::forget);
        }
    }

    private void forget(long sequence) {
        burstStates.remove(sequence);
        if (burstPuts.remove(sequence) == null && segmentOf.containsKey(sequence)) {
            burstRemoved.add(sequence);
        }
        if (withState.remove(sequence)) {
            states.remove(sequence);
        }
    }

    /** Writes the current burst as at most one segment and one tombstone; called before each commit. */
    void flush() {
        if (!burstPuts.isEmpty()) {
            long segment = nextRecordId++;
            segments.put(segment, RecordCodec.segment(burstPuts));
            for (Long sequence : burstPuts.keySet()) {
                segmentOf.put(sequence, segment);
                highestSequence = Math.max(highestSequence, sequence);
            }
            liveInSegment.put(segment, new int[] {burstPuts.size()});
        }
        for (Map.Entry<Long, Long> e : burstStates.entrySet()) {
            if (segmentOf.containsKey(e.getKey())) {
                states.put(e.getKey(), e.getValue());
                withState.add(e.getKey());
            }
        }
        if (!burstRemoved.isEmpty()) {
            long tombstone = nextRecordId++;
            long[] removed = new long[burstRemoved.size()];
            HashSet<Long> pointsInto = new HashSet<>();
            List<Long> emptied = new ArrayList<>();
            for (int i = 0; i < removed.length; i++) {
                long sequence = burstRemoved.get(i);
                removed[i] = sequence;
                Long segment = segmentOf.remove(sequence);
                if (segment == null) {
                    continue;
                }
                pointsInto.add(segment);
                tombstonesOfSegment.computeIfAbsent(segment, k -> new HashSet<>()).add(tombstone);
                if (--liveInSegment.get(segment)[0] == 0) {
                    emptied.add(segment);
                }
            }
            if (!pointsInto.isEmpty()) {
                tombstones.put(tombstone, removed);
                segmentsOfTombstone.put(tombstone, pointsInto);
            }
            emptied.forEach(this::deleteSegment);
        }
        burstPuts.clear();
        burstStates.clear();
        burstRemoved.clear();
    }

    /** A segment with no live message goes, and with it the tombstones that only pointed into it. */
    private void deleteSegment(long segment) {
        segments.remove(segment);
        liveInSegment.remove(segment);
        HashSet<Long> pointing = tombstonesOfSegment.remove(segment);
        if (pointing == null) {
            return;
        }
        for (Long tombstone : pointing) {
            HashSet<Long> into = segmentsOfTombstone.get(tombstone);
            if (into != null) {
                into.remove(segment);
                if (into.isEmpty()) {
                    segmentsOfTombstone.remove(tombstone);
                    tombstones.remove(tombstone);
                }
            }
        }
    }
}
