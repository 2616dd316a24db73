package io.meridianmq.storage.mvstore.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.meridianmq.sdk.topic.Topics;
import io.meridianmq.storage.BucketCounts;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions and retained messages in one H2 MVStore file. MVStore never overwrites what the last
 * commit wrote (each commit appends a chunk, and a file's newest intact chunk is the state it
 * opens with), so a kill in the middle of a commit leaves the previous commit whole.
 *
 * <p>Every write goes through one queue to one writer thread, which applies whole batches and
 * commits after as many as have arrived (up to {@code max_batch}): one sync covers many messages
 * (group commit), no caller ever waits on the disk, and a batch is never split by a commit, so
 * it is all-or-nothing after a crash. Readers of retained messages see writes not yet applied
 * through a small overlay of pending ones.
 */
final class DurableStore implements SessionStore, RetainedMessageStore {

    /** Commits: how long each took and how many writes it made durable (the writer records, metrics read). */
    private final BucketCounts commitLatency = new BucketCounts(BucketCounts.LATENCY_SECONDS);
    private final BucketCounts commitBatch = new BucketCounts(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000);

    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);
    private static final Object STOP = new Object();
    private static final RetainedMessage REMOVED = new RetainedMessage("-", new byte[0], 0,
            io.meridianmq.storage.StoredProperties.NONE, 0);

    private final StoreSettings settings;
    private final MVStore db;
    /** The newest committed version, beside the file (see {@link CommittedVersion}). */
    private final CommittedVersion committed;
    private final MVMap<String, byte[]> sessions;
    /** By {@link #key client id and subscription key}. */
    private final MVMap<String, byte[]> subscriptions;
    /** Queued and in-flight messages; touched by the writer thread only (after opening). */
    private final MessageLog messages;
    /** By {@link #key client id and packet id}; the values are empty. */
    private final MVMap<String, byte[]> incomingQos2;
    private final MVMap<String, byte[]> wills;
    private final MVMap<String, byte[]> retained;
    /** Retained writes handed to the writer and not yet applied, by topic ({@link #REMOVED} for a removal). */
    private final ConcurrentHashMap<String, RetainedMessage> pendingRetained = new ConcurrentHashMap<>();

    /** Batches and markers; unbounded, but its producers are bounded by MQTT flow control. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean failed;
    private FileChannel lock;

    private DurableStore(StoreSettings settings, MVStore db, CommittedVersion committed) {
        this.settings = settings;
        this.db = db;
        this.committed = committed;
        this.sessions = StoreFile.bytesByString(db, "sessions");
        this.subscriptions = StoreFile.bytesByString(db, "subscriptions");
        this.messages = new MessageLog(db);
        this.incomingQos2 = StoreFile.bytesByString(db, "incoming-qos2");
        this.wills = StoreFile.bytesByString(db, "wills");
        this.retained = StoreFile.bytesByString(db, "retained");
        db.commit();
        this.writer = new Thread(this::writeLoop, "meridian-store-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Opens (or creates) the store file and checks that every record can be read (see {@link StoreFile}).
     *
     * @throws StoreFile.CorruptStoreException when it cannot be read and {@code corrupt_store} is {@code fail}
     */
    static DurableStore open(StoreSettings settings) throws IOException {
        StoreFile.Locked<DurableStore> opened = StoreFile.open(settings, (db, committed) -> {
            DurableStore store = new DurableStore(settings, db, committed);
            store.check();
            return store;
        });
        DurableStore store = opened.store();
        store.lock = opened.lock();
        store.writer.start();
        return store;
    }

    /** Reads every record once, so that a damaged file is found now and not halfway through a run. */
    private void check() {
        sessions.values().forEach(RecordCodec::session);
        subscriptions.values().forEach(RecordCodec::subscription);
        messages.load();
        incomingQos2.keySet().forEach(DurableStore::clientIdOf);
        wills.values().forEach(RecordCodec::will);
        retained.values().forEach(RecordCodec::retained);
    }

    /** Message log records on disk; call with the writer idle (tests). */
    long messageRecordCount() {
        return messages.recordCount();
    }

    StoreSettings settings() {
        return settings;
    }

    /** Applies what is queued, commits and closes the file. */
    void close() {
        queue.add(STOP);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        db.close();
        try {
            committed.close(); // the writer recorded its last commit
        } catch (IOException e) {
            LOG.warn("Cannot close {}.version: {}", settings.file(), e.toString());
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.warn("Cannot release the lock of the store {}: {}", settings.file(), e.toString());
        }
    }

    // ---- the writer ----

    @Override
    public BucketCounts commitLatency() {
        return commitLatency;
    }

    @Override
    public BucketCounts commitBatchSize() {
        return commitBatch;
    }

    private void writeLoop() {
        List<Runnable> waiting = new ArrayList<>();
        long lastCommit = System.currentTimeMillis();
        boolean dirty = false;
        int uncommitted = 0;
        while (true) {
            Object next;
            try {
                next = settings.syncAlways() || !dirty ? queue.take()
                        : queue.poll(Math.max(1, lastCommit + settings.autosaveIntervalMillis()
                                - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                next = STOP;
            }
            int applied = 0;
            boolean stop = false;
            while (next != null) {
                if (next == STOP) {
                    stop = true;
                    break;
                }
                if (next instanceof WriteBatch batch) {
                    apply(batch);
                    dirty = true;
                    applied += batch.ops.size();
                    uncommitted += batch.ops.size();
                } else if (settings.syncAlways()) {
                    waiting.add((Runnable) next);
                } else {
                    run((Runnable) next);
                }
                next = applied < settings.maxBatch() ? queue.poll() : null;
            }
            long now = System.currentTimeMillis();
            if (dirty && (stop || settings.syncAlways() || now - lastCommit >= settings.autosaveIntervalMillis())) {
                long started = System.nanoTime();
                if (commit()) {
                    commitLatency.record((System.nanoTime() - started) / 1e9);
                    commitBatch.record(uncommitted);
                    uncommitted = 0;
                    dirty = false;
                    lastCommit = now;
                }
            }
            if (!dirty) {
                waiting.forEach(DurableStore::run);
                waiting.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    private boolean commit() {
        try {
            messages.flush();
            db.commit();
            if (settings.syncAlways()) {
                db.sync(); // on the disk, not only in the operating system's cache: a power cut keeps it too
            }
            compactWhenSparse();
            committed.record(db.getCurrentVersion());
            if (failed) {
                failed = false;
                LOG.info("The store {} is written again", settings.file());
            }
            return true;
        } catch (RuntimeException e) {
            if (!failed) {
                failed = true;
                // the waiting acknowledgements stay held back: nothing is confirmed that is not on disk
                LOG.error("Cannot write the store {} ({}); acknowledgements are held back until it can. Check "
                        + "the disk (space, permissions)", settings.file(), StoreFile.describe(e), e);
            }
            return false;
        }
    }

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("A store completion action failed", e);
        }
    }

    private void apply(WriteBatch batch) {
        for (Consumer<DurableStore> op : batch.ops) {
            try {
                op.accept(this);
            } catch (RuntimeException e) {
                LOG.error("A store write failed and was skipped", e);
            }
        }
    }

    // ---- SessionStore ----

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public Batch batch() {
        return new WriteBatch();
    }

    @Override
    public void whenDurable(Runnable action) {
        queue.add(action);
    }

    /** A batch collects its writes as actions the writer thread applies. */
    private final class WriteBatch implements Batch {
        private final List<Consumer<DurableStore>> ops = new ArrayList<>(4);

        private Batch add(Consumer<DurableStore> op) {
            ops.add(op);
            return this;
        }

        @Override
        public Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis, String owner) {
            return add(s -> s.sessions.put(clientId, RecordCodec.session(expirySeconds, disconnectedAtMillis, owner)));
        }

        @Override
        public Batch removeSession(String clientId) {
            return add(s -> s.deleteSession(clientId));
        }

        @Override
        public Batch putSubscription(String clientId, StoredSubscription subscription) {
            return add(s -> s.subscriptions.put(key(clientId, subscription.key()), RecordCodec.subscription(subscription)));
        }

        @Override
        public Batch removeSubscription(String clientId, String key) {
            return add(s -> s.subscriptions.remove(key(clientId, key)));
        }

        @Override
        public Batch putMessage(String clientId, long sequence, StoredMessage message) {
            return add(s -> s.messages.put(clientId, sequence, message));
        }

        @Override
        public Batch updateMessage(String clientId, long sequence, int packetId, boolean released) {
            return add(s -> s.messages.update(sequence, RecordCodec.messageState(packetId, released)));
        }

        @Override
        public Batch removeMessage(String clientId, long sequence) {
            return add(s -> s.messages.remove(clientId, sequence));
        }

        @Override
        public Batch addIncomingQos2(String clientId, int packetId) {
            return add(s -> s.incomingQos2.put(key(clientId, Integer.toString(packetId)), NOTHING));
        }

        @Override
        public Batch removeIncomingQos2(String clientId, int packetId) {
            return add(s -> s.incomingQos2.remove(key(clientId, Integer.toString(packetId))));
        }

        @Override
        public Batch putWill(String clientId, StoredWill will) {
            return add(s -> s.wills.put(clientId, RecordCodec.will(will)));
        }

        @Override
        public Batch removeWill(String clientId) {
            return add(s -> s.wills.remove(clientId));
        }

        @Override
        public boolean isEmpty() {
            return ops.isEmpty();
        }

        @Override
        public void submit() {
            if (!ops.isEmpty()) {
                queue.add(this);
            }
        }
    }

    private void deleteSession(String clientId) {
        messages.removeAll(clientId);
        sessions.remove(clientId);
        wills.remove(clientId);
        removeAllOf(subscriptions, clientId);
        removeAllOf(incomingQos2, clientId);
    }

    private static final byte[] NOTHING = new byte[0];

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

    /** Last compaction check (writer thread). */
    private long lastCompaction = System.currentTimeMillis();

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

    @Override
    public void load(long[] sequences, Consumer<Map<Long, StoredMessage>> then) {
        queue.add((Runnable) () -> then.accept(messages.read(sequences)));
    }

    @Override
    public long recover(Consumer<RecoveredSession> consumer) {
        // on the writer thread, which owns the message log
        java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
        queue.add((Runnable) () -> {
            try {
                done.complete(recoverOnWriter(consumer));
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        return done.join();
    }

    private long recoverOnWriter(Consumer<RecoveredSession> consumer) {
        long highest = 0;
        Set<String> orphans = new HashSet<>();
        Map<String, List<StoredSubscription>> subs = new HashMap<>();
        subscriptions.forEach((k, v) -> subs.computeIfAbsent(clientIdOf(k), x -> new ArrayList<>())
                .add(RecordCodec.subscription(v)));
        Map<String, NavigableMap<Long, StoredMessage>> queued = new HashMap<>();
        messages.forEachLive((sequence, owned) -> queued.computeIfAbsent(owned.clientId(), x -> new TreeMap<>())
                .put(sequence, owned.message()));
        highest = messages.highestSequence();
        Map<String, Set<Integer>> qos2 = new HashMap<>();
        incomingQos2.keySet().forEach(k -> qos2.computeIfAbsent(clientIdOf(k), x -> new HashSet<>())
                .add(Integer.parseInt(ownKeyOf(k))));
        int count = 0;
        for (Map.Entry<String, byte[]> e : sessions.entrySet()) {
            String clientId = e.getKey();
            RecordCodec.SessionRecord record = RecordCodec.session(e.getValue());
            byte[] will = wills.get(clientId);
            consumer.accept(new RecoveredSession(clientId, record.expirySeconds(), record.disconnectedAtMillis(),
                    subs.getOrDefault(clientId, List.of()), queued.getOrDefault(clientId, new TreeMap<>()),
                    qos2.getOrDefault(clientId, Set.of()), will == null ? null : RecordCodec.will(will),
                    record.owner()));
            count++;
        }
        // what belongs to no session (written while its session was ending) goes
        subs.keySet().forEach(orphans::add);
        queued.keySet().forEach(orphans::add);
        qos2.keySet().forEach(orphans::add);
        orphans.removeAll(sessions.keySet());
        if (!orphans.isEmpty()) {
            WriteBatch cleanup = new WriteBatch();
            orphans.forEach(cleanup::removeSession);
            cleanup.submit();
        }
        LOG.info("Recovered {} persistent session(s) with {} queued or in-flight message(s) and {} retained "
                + "message(s) from {}", count, messages.liveCount(), retained.sizeAsLong(), settings.file());
        return highest;
    }

    // ---- RetainedMessageStore ----

    @Override
    public void put(RetainedMessage message) {
        pendingRetained.put(message.topic(), message);
        WriteBatch batch = new WriteBatch();
        batch.add(s -> {
            s.retained.put(message.topic(), RecordCodec.retained(message));
            s.pendingRetained.remove(message.topic(), message);
        }).submit();
    }

    @Override
    public void remove(String topic) {
        RetainedMessage marker = new RetainedMessage(topic, REMOVED.payload(), 0, REMOVED.properties(), 0);
        pendingRetained.put(topic, marker);
        WriteBatch batch = new WriteBatch();
        batch.add(s -> {
            s.retained.remove(topic);
            s.pendingRetained.remove(topic, marker);
        }).submit();
    }

    @Override
    public void forEachMatching(String topicFilter, Consumer<RetainedMessage> consumer) {
        long now = System.currentTimeMillis();
        Map<String, RetainedMessage> pending = pendingRetained.isEmpty() ? Map.of() : Map.copyOf(pendingRetained);
        if (!Topics.hasWildcard(topicFilter)) {
            RetainedMessage m = pending.get(topicFilter);
            if (m == null) {
                byte[] stored = retained.get(topicFilter);
                m = stored == null ? null : RecordCodec.retained(stored);
            }
            deliver(m, now, consumer);
            return;
        }
        // the topics before the first wildcard level are a common prefix: scan only that range
        int wildcard = firstWildcardLevel(topicFilter);
        String prefix = topicFilter.substring(0, wildcard);
        for (Cursor<String, byte[]> c = retained.cursor(prefix.isEmpty() ? null : prefix); c.hasNext();) {
            String topic = c.next();
            if (!topic.startsWith(prefix)) {
                break;
            }
            if (!pending.containsKey(topic) && Topics.matches(topicFilter, topic)) {
                deliver(RecordCodec.retained(c.getValue()), now, consumer);
            }
        }
        for (RetainedMessage m : pending.values()) {
            if (Topics.matches(topicFilter, m.topic())) {
                deliver(m, now, consumer);
            }
        }
    }

    private static int firstWildcardLevel(String filter) {
        int plus = filter.indexOf('+');
        int hash = filter.indexOf('#');
        int first = plus < 0 ? hash : hash < 0 ? plus : Math.min(plus, hash);
        return first < 0 ? filter.length() : first;
    }

    private void deliver(RetainedMessage m, long now, Consumer<RetainedMessage> consumer) {
        if (m == null || m.payload() == REMOVED.payload()) {
            return;
        }
        if (m.isExpired(now)) {
            remove(m.topic()); // an expired retained message goes when it is next looked at
            return;
        }
        consumer.accept(m);
    }

    @Override
    public long size() {
        return retained.sizeAsLong();
    }
}
