package io.meridianmq.storage.mvstore.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The newest version the store committed, kept in a small file beside it
 * ({@code meridian.db.version}), so that a store file that opens at an older version is noticed.
 * MVStore opens a damaged or truncated file at its newest intact commit without a word; after a
 * crash that is the last commit, but after damage it is an older one, and the messages
 * acknowledged since would be lost in silence.
 *
 * <p>The version is written after each commit and its sync (both sync policies sync each commit),
 * without a sync of its own, so it is never ahead of the store: after a power cut it may lag,
 * which only weakens the check.
 *
 * <p>Threading: the store's writer thread (and the opener, before the writer starts).
 */
final class CommittedVersion implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(Long.BYTES);

    CommittedVersion(Path storeFile) throws IOException {
        this.file = storeFile.resolveSibling(storeFile.getFileName() + ".version");
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    /** The version last recorded, or -1 when none was (a new store, or one from before the check). */
    long recorded() throws IOException {
        ByteBuffer read = ByteBuffer.allocate(Long.BYTES);
        while (read.hasRemaining() && channel.read(read, read.position()) > 0) {
            // a short read goes on where it stopped
        }
        return read.hasRemaining() ? -1 : read.flip().getLong();
    }

    /** Records {@code version} as committed. */
    void record(long version) {
        buffer.clear().putLong(version).flip();
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer, buffer.position());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the committed version in " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
