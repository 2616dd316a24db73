package io.meridianmq.storage.mvstore.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.meridianmq.storage.BucketCounts;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.RetainedMessageStore;
import io.meridianmq.storage.SessionStore;
import io.meridianmq.storage.StoredMessage;

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
 * it is all-or-nothing after a crash. Readers of retained messages see writes not yet durable
 * through a small overlay of pending ones.
 *
 * <p>When a commit fails (disk full, I/O error) MVStore closes the file. The writer then answers
 * the waiting {@link #whenDurableOrFailed} callers with "failed", keeps the batches of the failed
 * commits (up to {@link #MAX_UNSAVED_WRITES}), and every second opens the file again, applies
 * them and commits: once that works, everything is on disk and the store carries on.
 */
final class DurableStore implements SessionStore, RetainedMessageStore {

    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);
    private static final Object STOP = new Object();
    /** Writes kept for a retry while the store cannot write; more are dropped (and counted). */
    static final int MAX_UNSAVED_WRITES = 1_000_000;
    private static final long RETRY_MILLIS = 1000;

    /** Commits: how long each took and how many writes it made durable (the writer records, metrics read). */
    private final BucketCounts commitLatency = new BucketCounts(BucketCounts.LATENCY_SECONDS);
    private final BucketCounts commitBatch = new BucketCounts(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000);

    private final StoreSettings settings;
    /** The open file's maps; replaced by the writer when it opens the file again after a failure. */
    private volatile StoreTables tables;
    /** The newest committed version, beside the file (see {@link CommittedVersion}). */
    private final CommittedVersion committed;
    private final FileChannel lock;

    /** Batches, markers and tasks; unbounded, but its producers are bounded by MQTT flow control. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Retained messages, with the overlay of those not yet durable. */
    private final RetainedReads retainedReads = new RetainedReads(queue::add);
    private final Thread writer;
    /** Whether the last commit failed and none has worked since (the writer writes, anyone reads). */
    private volatile boolean failing;
    private final AtomicLong failedCommits = new AtomicLong();

    // the writer's own state
    /** Batches applied since the last good commit: what a retry must apply again. */
    private final List<WriteBatch> unsaved = new ArrayList<>();
    private int unsavedWrites;
    private long droppedWrites;

    /** A "when durable" request: {@code onFailed} is null when the caller waits for success only. */
    private record Marker(Runnable onDurable, Runnable onFailed) {
    }

    /** Work for the writer thread that needs the tables, not a commit (reads). */
    private record Task(Consumer<StoreTables> work) {
    }

    private DurableStore(StoreSettings settings, StoreFile.Opened opened) {
        this.settings = settings;
        this.tables = opened.tables();
        this.committed = opened.committed();
        this.lock = opened.lock();
        this.writer = new Thread(this::writeLoop, "meridian-store-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Opens (or creates) the store file and checks that every record can be read (see {@link StoreFile}).
     *
     * @throws StoreFile.CorruptStoreException when it cannot be read and {@code corrupt_store} is {@code fail}
     */
    static DurableStore open(StoreSettings settings) throws IOException {
        DurableStore store = new DurableStore(settings, StoreFile.open(settings));
        store.writer.start();
        return store;
    }

    /** Message log records on disk; call with the writer idle (tests). */
    long messageRecordCount() {
        return tables.messages.recordCount();
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
        try {
            tables.db.close();
        } catch (RuntimeException e) {
            LOG.warn("The store {} did not close cleanly ({}); the last commit stands", settings.file(), e.toString());
        }
        try {
            committed.close(); // the writer recorded its last commit
            lock.close();
        } catch (IOException e) {
            LOG.warn("Cannot release the lock of the store {}: {}", settings.file(), e.toString());
        }
    }

    @Override
    public BucketCounts commitLatency() {
        return commitLatency;
    }

    @Override
    public BucketCounts commitBatchSize() {
        return commitBatch;
    }

    @Override
    public boolean failing() {
        return failing;
    }

    @Override
    public long failedCommits() {
        return failedCommits.get();
    }

    // ---- the writer ----

    private void writeLoop() {
        List<Marker> waiting = new ArrayList<>();
        long lastCommit = System.currentTimeMillis();
        boolean dirty = false;
        int uncommitted = 0;
        while (true) {
            Object next;
            try {
                long wait = failing ? RETRY_MILLIS
                        : settings.syncAlways() || !dirty ? Long.MAX_VALUE
                        : Math.max(1, lastCommit + settings.autosaveIntervalMillis() - System.currentTimeMillis());
                next = wait == Long.MAX_VALUE ? queue.take() : queue.poll(wait, TimeUnit.MILLISECONDS);
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
                    keepOrApply(batch);
                    dirty = true;
                    applied += batch.ops.size();
                    uncommitted += batch.ops.size();
                } else if (next instanceof Task task) {
                    runTask(task);
                } else {
                    Marker marker = (Marker) next;
                    if (failing && marker.onFailed() != null) {
                        run(marker.onFailed()); // nothing new is on disk until the retry works
                    } else if (settings.syncAlways() || failing) {
                        waiting.add(marker);
                    } else {
                        run(marker.onDurable());
                    }
                }
                next = applied < settings.maxBatch() ? queue.poll() : null;
            }
            long now = System.currentTimeMillis();
            boolean due = stop || settings.syncAlways() || now - lastCommit >= settings.autosaveIntervalMillis();
            if (failing ? now - lastCommit >= RETRY_MILLIS || stop : dirty && due) {
                long started = System.nanoTime();
                lastCommit = now;
                if (failing ? reopenAndCommit() : commit()) {
                    commitLatency.record((System.nanoTime() - started) / 1e9);
                    commitBatch.record(uncommitted);
                    uncommitted = 0;
                    dirty = false;
                    waiting.forEach(m -> run(m.onDurable()));
                    waiting.clear();
                } else {
                    // nothing is confirmed that is not on disk: those who can take "no" get it now
                    waiting.removeIf(m -> {
                        if (m.onFailed() != null) {
                            run(m.onFailed());
                            return true;
                        }
                        return false;
                    });
                }
            }
            if (!dirty && !failing) {
                waiting.forEach(m -> run(m.onDurable())); // nothing was written before them
                waiting.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    /**
     * Applies {@code batch} to the open file (or, while the file is closed, only keeps it), and
     * keeps it until a commit has made it durable: a failed commit loses the file's in-memory
     * changes, and the retry applies the kept batches again.
     */
    private void keepOrApply(WriteBatch batch) {
        if (unsavedWrites + batch.ops.size() > MAX_UNSAVED_WRITES) {
            droppedWrites += batch.ops.size();
            if (droppedWrites == batch.ops.size()) {
                LOG.error("The store {} has not been written for a while and holds {} writes for the retry; further "
                        + "writes are dropped (counted in the log line when it recovers) until it can write",
                        settings.file(), unsavedWrites);
            }
            return;
        }
        unsaved.add(batch);
        unsavedWrites += batch.ops.size();
        if (!failing) {
            apply(tables, batch);
        }
    }

    /** Commits what was applied; on failure the file is closed (MVStore does) and the writes kept. */
    private boolean commit() {
        try {
            tables.commit();
            committed.record(tables.version());
            saved();
            return true;
        } catch (RuntimeException e) {
            failed(e);
            return false;
        }
    }

    /** Opens the file again, applies what the failed commits held, and commits. */
    private boolean reopenAndCommit() {
        StoreTables reopened;
        try {
            try {
                tables.closeImmediately();
            } catch (RuntimeException alreadyClosed) {
                // MVStore closed it when the write failed
            }
            reopened = StoreFile.openChecked(settings, committed);
        } catch (RuntimeException e) {
            failedCommits.incrementAndGet();
            return false;
        }
        try {
            for (WriteBatch batch : unsaved) {
                apply(reopened, batch);
            }
            reopened.commit();
            committed.record(reopened.version());
        } catch (RuntimeException e) {
            failedCommits.incrementAndGet();
            reopened.closeImmediately();
            return false;
        }
        tables = reopened;
        failing = false;
        LOG.info("The store {} is written again: {} writes kept since it failed are on disk{}", settings.file(),
                unsavedWrites, droppedWrites == 0 ? "" : "; " + droppedWrites + " writes were dropped meanwhile");
        saved();
        return true;
    }

    private void saved() {
        unsaved.forEach(WriteBatch::durable);
        unsaved.clear();
        unsavedWrites = 0;
        droppedWrites = 0;
    }

    private void failed(RuntimeException e) {
        failedCommits.incrementAndGet();
        try {
            tables.closeImmediately();
        } catch (RuntimeException ignored) {
            // MVStore has closed it already
        }
        if (!failing) {
            failing = true;
            LOG.error("Cannot write the store {} ({}). QoS 1/2 messages for persistent sessions are refused "
                    + "(MQTT 5: PUBACK/PUBREC 0x80; MQTT 3: the connection is closed) until it can; the writes are "
                    + "kept and retried every second. Check the disk (space, permissions)", settings.file(),
                    StoreFile.describe(e.getCause() == null ? e : e.getCause()));
        }
    }

    private void runTask(Task task) {
        try {
            task.work().accept(tables);
        } catch (RuntimeException e) {
            LOG.error("A store read failed", e);
        }
    }

    private static void run(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("A store completion action failed", e);
        }
    }

    private void apply(StoreTables to, WriteBatch batch) {
        for (Consumer<StoreTables> op : batch.ops) {
            try {
                op.accept(to);
            } catch (IllegalStateException closed) {
                throw closed; // the file went away under the writes: the commit fails, the retry applies them
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
        return new WriteBatch(queue::add);
    }

    @Override
    public void whenDurable(Runnable action) {
        queue.add(new Marker(action, null));
    }

    @Override
    public void whenDurableOrFailed(Runnable onDurable, Runnable onFailed) {
        queue.add(new Marker(onDurable, onFailed));
    }

    @Override
    public void load(long[] sequences, Consumer<Map<Long, StoredMessage>> then) {
        queue.add(new Task(t -> then.accept(t.messages.read(sequences))));
    }

    @Override
    public long recover(Consumer<RecoveredSession> consumer) {
        // on the writer thread, which owns the message log
        java.util.concurrent.CompletableFuture<Long> done = new java.util.concurrent.CompletableFuture<>();
        queue.add(new Task(t -> {
            try {
                Set<String> orphans = new HashSet<>();
                long highest = t.recover(consumer, orphans);
                if (!orphans.isEmpty()) {
                    WriteBatch cleanup = new WriteBatch(queue::add);
                    orphans.forEach(cleanup::removeSession);
                    cleanup.submit();
                }
                LOG.info("Recovered {} persistent session(s) with {} queued or in-flight message(s) and {} retained "
                        + "message(s) from {}", t.sessions.size(), t.messages.liveCount(), t.retained.sizeAsLong(),
                        settings.file());
                done.complete(highest);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        }));
        return done.join();
    }

    // ---- RetainedMessageStore ----

    @Override
    public void put(RetainedMessage message) {
        retainedReads.put(message);
    }

    @Override
    public void remove(String topic) {
        retainedReads.remove(topic);
    }

    @Override
    public void forEachMatching(String topicFilter, Consumer<RetainedMessage> consumer) {
        retainedReads.forEachMatching(tables, topicFilter, consumer);
    }

    @Override
    public long size() {
        try {
            return tables.retained.sizeAsLong();
        } catch (IllegalStateException closed) {
            return 0; // reopening after a failed write; asked again, it answers
        }
    }
}
