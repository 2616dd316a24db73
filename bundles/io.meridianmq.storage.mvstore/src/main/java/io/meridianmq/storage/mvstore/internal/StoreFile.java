package io.meridianmq.storage.mvstore.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store's file for one broker: takes its own lock (one broker per
 * {@code persistence_location}), opens the H2 MVStore file, has
 * every record read once, and, when the file cannot be read, refuses to start or (with
 * {@code corrupt_store = move_aside}) renames it and starts empty, saying so.
 *
 * <p>Threading: called once, by whoever opens the store.
 */
final class StoreFile {

    private static final Logger LOG = LoggerFactory.getLogger(StoreFile.class);

    /** The store file cannot be read. */
    static final class CorruptStoreException extends IOException {
        private static final long serialVersionUID = 1L;

        CorruptStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private StoreFile() {
    }

    /**
     * Locks and opens the file, and reads every record once.
     *
     * @return the tables, the lock to release when the store closes, and the committed version
     * @throws CorruptStoreException when the file cannot be read and {@code corrupt_store} is {@code fail}
     */
    static Opened open(StoreSettings settings) throws IOException {
        Files.createDirectories(settings.file().toAbsolutePath().getParent());
        // our own lock, apart from the file's: it says which broker holds the store
        Path lockFile = settings.file().resolveSibling(settings.file().getFileName() + ".lock");
        FileChannel lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("the store " + settings.file().toAbsolutePath() + " is in use by another broker "
                    + "(lock " + lockFile + "); each broker needs its own persistence_location");
        }
        try {
            CommittedVersion committed = new CommittedVersion(settings.file());
            StoreTables tables;
            try {
                tables = openChecked(settings, committed);
            } catch (RuntimeException | Error e) {
                committed.close();
                String what = describe(e);
                if (!settings.moveCorruptAside()) {
                    throw new CorruptStoreException("The store " + settings.file().toAbsolutePath() + " is corrupt or "
                            + "truncated (" + what + "). Storage is not started and the broker waits for it. To keep "
                            + "the file for inspection and start with an empty store, set 'corrupt_store = move_aside' "
                            + "in etc/io.meridianmq.storage.cfg; or restore the file from a backup.", e);
                }
                List<Path> moved = moveAside(settings.file());
                LOG.error("The store {} is corrupt or truncated ({}); as corrupt_store = move_aside, it was renamed to "
                        + "{} and an empty store is used: the sessions, queued and retained messages it held are NOT "
                        + "loaded", settings.file().toAbsolutePath(), what, moved);
                committed = new CommittedVersion(settings.file());
                tables = openChecked(settings, committed);
            }
            return new Opened(tables, lockChannel, committed);
        } catch (IOException | RuntimeException | Error e) {
            lockChannel.close();
            throw e;
        }
    }

    /** An open store file: its tables, the lock it holds, and its committed version. */
    record Opened(StoreTables tables, FileChannel lock, CommittedVersion committed) {
    }

    /**
     * Opens the file (again) and reads every record once; it must not open older than the
     * version last recorded as committed.
     */
    static StoreTables openChecked(StoreSettings settings, CommittedVersion committed) {
        // MapDB 3.1 was used before: its write-ahead log is never replayed on open, so a kill -9
        // in the middle of a commit could leave the file torn (seen: IndexOutOfBoundsException on
        // open, and a QoS 2 message's state lost). MVStore appends each commit as a new chunk and
        // opens with the newest intact one.
        MVStore db = new MVStore.Builder()
                .fileName(settings.file().toAbsolutePath().toString())
                .autoCommitDisabled() // the writer thread commits, whole batches only
                .open();
        // MVStore's retention time stays at its default (45 s): with 0, a kill right after a commit
        // that reused freed space opened at an older version (StoreCrashTest and CommittedVersion
        // caught it), because the file header, written now and then, may still point there
        StoreTables tables = new StoreTables(db);
        try {
            long recorded = committed.recorded();
            if (tables.version() < recorded) {
                throw new IllegalStateException("it opens at version " + tables.version() + " but version "
                        + recorded + " was committed: the file lost what came after");
            }
            tables.check();
            tables.commit(); // what the check found dead is gone
            committed.record(tables.version());
            return tables;
        } catch (IOException e) {
            tables.closeImmediately();
            throw new java.io.UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            tables.closeImmediately();
            throw e;
        }
    }

    /** A failure in one line: its class and message. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static List<Path> moveAside(Path file) throws IOException {
        String suffix = ".corrupt-" + System.currentTimeMillis();
        List<Path> moved = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(name)
                    && !p.getFileName().toString().contains(".corrupt-")
                    && !p.getFileName().toString().endsWith(".lock")).toList()) {
                Path target = p.resolveSibling(p.getFileName() + suffix);
                Files.move(p, target);
                moved.add(target);
            }
        }
        return moved;
    }
}
