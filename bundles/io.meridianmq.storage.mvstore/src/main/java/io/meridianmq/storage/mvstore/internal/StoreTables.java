package io.meridianmq.storage.mvstore.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredSubscription;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.StringDataType;

/**
 * The maps of one open store file: sessions, subscriptions, the message log, incoming QoS 2
 * packet ids, wills and retained messages, and the commit that makes their changes durable.
 * When a write fails, MVStore closes the file; the store then opens a new {@code StoreTables}
 * on it and applies again what the failed commits held.
 *
 * <p>Threading: the store's writer thread, but for {@link #retained}, which MVStore lets any
 * thread read.
 */
final class StoreTables {

    private static final byte[] NOTHING = new byte[0];

    final MVStore db;
    final MVMap<String, byte[]> sessions;
    /** By {@link #key client id and subscription key}. */
    final MVMap<String, byte[]> subscriptions;
    /** Queued and in-flight messages. */
    final MessageLog messages;
    /** By {@link #key client id and packet id}; the values are empty. */
    final MVMap<String, byte[]> incomingQos2;
    final MVMap<String, byte[]> wills;
    final MVMap<String, byte[]> retained;
    /** Last compaction check. */
    private long lastCompaction = System.currentTimeMillis();

    StoreTables(MVStore db) {
        this.db = db;
        this.sessions = bytesByString(db, "sessions");
        this.subscriptions = bytesByString(db, "subscriptions");
        this.messages = new MessageLog(db);
        this.incomingQos2 = bytesByString(db, "incoming-qos2");
        this.wills = bytesByString(db, "wills");
        this.retained = bytesByString(db, "retained");
    }

    private static MVMap<String, byte[]> bytesByString(MVStore db, String name) {
        return db.openMap(name, new MVMap.Builder<String, byte[]>().keyType(StringDataType.INSTANCE)
                .valueType(ByteArrayDataType.INSTANCE));
    }

    /** Reads every record once, so that a damaged file is found now and not halfway through a run. */
    void check() {
        sessions.values().forEach(RecordCodec::session);
        subscriptions.values().forEach(RecordCodec::subscription);
        messages.load();
        incomingQos2.keySet().forEach(StoreTables::clientIdOf);
        wills.values().forEach(RecordCodec::will);
        retained.values().forEach(RecordCodec::retained);
    }

    /**
     * Writes what was applied since the last commit and syncs it to the disk (with {@code sync =
     * interval} that is once per {@code autosave_interval}); throws when the file cannot be written.
     * Synced either way, so that the version recorded beside the file after it is never ahead of
     * the file, even after a power cut.
     */
    void commit() {
        messages.flush();
        db.commit();
        db.sync();
        compactWhenSparse();
    }

    long version() {
        return db.getCurrentVersion();
    }

    /**
     * Every minute, rewrites the live records of sparse chunks (a few MiB at most), so that the
     * file of a broker whose queues churn does not grow without bound.
     */
    private void compactWhenSparse() {
        long now = System.currentTimeMillis();
        if (now - lastCompaction >= 60_000) {
            lastCompaction = now;
            if (db.compact(50, 4 << 20)) {
                db.commit();
            }
        }
    }

    void putIncomingQos2(String clientId, int packetId) {
        incomingQos2.put(key(clientId, Integer.toString(packetId)), NOTHING);
    }

    void removeIncomingQos2(String clientId, int packetId) {
        incomingQos2.remove(key(clientId, Integer.toString(packetId)));
    }

    void deleteSession(String clientId) {
        messages.removeAll(clientId);
        sessions.remove(clientId);
        wills.remove(clientId);
        removeAllOf(subscriptions, clientId);
        removeAllOf(incomingQos2, clientId);
    }

    /**
     * The key of a client's record in a map of many per client: the client id, U+0000 (which
     * MQTT allows in neither client ids nor topic filters), then the record's own key, so that
     * one client's records are next to each other.
     */
    static String key(String clientId, String own) {
        return clientId + '\u0000' + own;
    }

    static String clientIdOf(String key) {
        return key.substring(0, key.indexOf('\u0000'));
    }

    static String ownKeyOf(String key) {
        return key.substring(key.indexOf('\u0000') + 1);
    }

    private static void removeAllOf(MVMap<String, byte[]> map, String clientId) {
        String from = key(clientId, "");
        List<String> keys = new ArrayList<>();
        for (Cursor<String, byte[]> c = map.cursor(from); c.hasNext();) {
            String k = c.next();
            if (!k.startsWith(from)) {
                break;
            }
            keys.add(k);
        }
        keys.forEach(map::remove);
    }

    /**
     * Passes every stored session to {@code consumer}.
     *
     * @param orphans gets the client ids of records that belong to no session (written while
     *        their session was ending), to be removed
     * @return the highest message sequence number in use
     */
    long recover(Consumer<RecoveredSession> consumer, Set<String> orphans) {
        Map<String, List<StoredSubscription>> subs = new HashMap<>();
        subscriptions.forEach((k, v) -> subs.computeIfAbsent(clientIdOf(k), x -> new ArrayList<>())
                .add(RecordCodec.subscription(v)));
        Map<String, NavigableMap<Long, StoredMessage>> queued = new HashMap<>();
        messages.forEachLive((sequence, owned) -> queued.computeIfAbsent(owned.clientId(), x -> new TreeMap<>())
                .put(sequence, owned.message()));
        Map<String, Set<Integer>> qos2 = new HashMap<>();
        incomingQos2.keySet().forEach(k -> qos2.computeIfAbsent(clientIdOf(k), x -> new HashSet<>())
                .add(Integer.parseInt(ownKeyOf(k))));
        for (Map.Entry<String, byte[]> e : sessions.entrySet()) {
            String clientId = e.getKey();
            RecordCodec.SessionRecord record = RecordCodec.session(e.getValue());
            byte[] will = wills.get(clientId);
            consumer.accept(new RecoveredSession(clientId, record.expirySeconds(), record.disconnectedAtMillis(),
                    subs.getOrDefault(clientId, List.of()), queued.getOrDefault(clientId, new TreeMap<>()),
                    qos2.getOrDefault(clientId, Set.of()), will == null ? null : RecordCodec.will(will),
                    record.owner()));
        }
        orphans.addAll(subs.keySet());
        orphans.addAll(queued.keySet());
        orphans.addAll(qos2.keySet());
        orphans.removeAll(sessions.keySet());
        return messages.highestSequence();
    }

    /** Closes the file without writing (after a failed write, or a failed open). */
    void closeImmediately() {
        db.closeImmediately();
    }
}
