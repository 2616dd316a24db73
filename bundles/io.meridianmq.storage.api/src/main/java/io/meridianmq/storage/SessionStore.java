package io.meridianmq.storage;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps persistent sessions (those with a session expiry interval) across restarts: the session,
 * its subscriptions, queued and in-flight messages, incoming QoS 2 state and a delayed will.
 *
 * <p>Writes are grouped in {@link Batch batches}; a batch is applied atomically (all or nothing
 * after a crash) and batches are applied in the order they were {@linkplain Batch#submit()
 * submitted}, from whatever thread. {@link #whenDurable} runs an action once everything submitted
 * before it is on stable storage, which is how the broker delays PUBACK/PUBREC until then.
 *
 * <p>Threading: every method may be called from any thread and never blocks for long (batches
 * are handed to the store's own writer).
 */
@ProviderType
public interface SessionStore {

    /**
     * How long its commits take, in seconds (for metrics); null when it does not commit (it
     * keeps nothing on disk).
     *
     * @since 0.5
     */
    default BucketCounts commitLatency() {
        return null;
    }

    /**
     * How many writes each commit made durable (for metrics); null when it does not commit.
     *
     * @since 0.5
     */
    default BucketCounts commitBatchSize() {
        return null;
    }

    /** Whether anything survives a restart; if not, the broker does not call the other methods. */
    boolean durable();

    /** A new, empty batch of writes. */
    Batch batch();

    /**
     * Runs {@code action} once every batch submitted before this call is durable (at once when
     * the sync policy does not wait). The action runs on the store's writer thread and must be
     * short: hand work to another thread.
     */
    void whenDurable(Runnable action);

    /**
     * Like {@link #whenDurable}, except that when the store cannot write what was submitted
     * before this call (disk full, I/O error), {@code onFailed} runs instead, once, as soon as a
     * commit has failed. The writes themselves are not dropped: the store retries them on its own
     * and they are on disk once it can write again. Exactly one of the two actions runs, on the
     * store's writer thread, and must be short.
     *
     * @since 0.6
     */
    default void whenDurableOrFailed(Runnable onDurable, Runnable onFailed) {
        whenDurable(onDurable);
    }

    /**
     * Whether the store cannot write at the moment (its last commit failed and it has not written
     * since), for metrics and health.
     *
     * @since 0.6
     */
    default boolean failing() {
        return false;
    }

    /**
     * How many commits have failed since the store opened, for metrics.
     *
     * @since 0.6
     */
    default long failedCommits() {
        return 0;
    }

    /**
     * Reads stored messages back (those of an offline session that were kept on disk only), in
     * the order asked, skipping any that are gone; {@code then} gets them on the store's thread
     * and must hand work elsewhere.
     */
    void load(long[] sequences, Consumer<java.util.Map<Long, StoredMessage>> then);

    /**
     * Passes every stored session to {@code consumer}; called once, when the broker starts.
     *
     * @return the highest message sequence number in use, so that new ones are larger
     */
    long recover(Consumer<RecoveredSession> consumer);

    /**
     * Writes that are applied together. Message sequence numbers are chosen by the broker, unique
     * over all sessions and increasing.
     */
    interface Batch {

        /**
         * Creates or updates the session record.
         *
         * @param owner who made the session (the broker's owner key: user name or anonymous),
         *        kept so that another identity cannot take it over after a restart; {@code null}
         *        when not known
         */
        Batch putSession(String clientId, long expirySeconds, long disconnectedAtMillis, String owner);

        /** Removes the session with everything it owns. */
        Batch removeSession(String clientId);

        Batch putSubscription(String clientId, StoredSubscription subscription);

        Batch removeSubscription(String clientId, String key);

        Batch putMessage(String clientId, long sequence, StoredMessage message);

        /** Records the QoS 2 packet id and release state of a stored message. */
        Batch updateMessage(String clientId, long sequence, int packetId, boolean released);

        Batch removeMessage(String clientId, long sequence);

        Batch addIncomingQos2(String clientId, int packetId);

        Batch removeIncomingQos2(String clientId, int packetId);

        Batch putWill(String clientId, StoredWill will);

        Batch removeWill(String clientId);

        /** Whether nothing was added. */
        boolean isEmpty();

        /** Hands the batch to the store; it must not be changed afterwards. Empty batches are ignored. */
        void submit();
    }
}
