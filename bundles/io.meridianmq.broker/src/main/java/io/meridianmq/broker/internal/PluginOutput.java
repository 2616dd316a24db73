package io.meridianmq.broker.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.AsyncOutput;
import io.meridianmq.sdk.async.TimeoutFallback;

/**
 * The base of every output object handed to a plugin: it tracks whether the callback is still
 * running, went asynchronous or is finished, and applies the fallback exactly once when the
 * plugin throws or misses its timeout. Setters of subclasses check {@link #writable()} so that a
 * late plugin cannot change a decision the broker already acted on.
 */
abstract class PluginOutput implements AsyncOutput {

    private static final int CALLING = 0;
    private static final int ASYNC = 1;
    private static final int DONE = 2;

    private final AtomicInteger state = new AtomicInteger(CALLING);
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile boolean fellBack;
    private Duration asyncTimeout;
    private TimeoutFallback asyncFallback;

    /** Applies what the fallback means for this kind of output. */
    abstract void applyFallback(TimeoutFallback fallback);

    boolean writable() {
        return state.get() != DONE;
    }

    /**
     * Applies a plugin's change unless the call has ended; false when it had. The change and the
     * end of the call (a fallback being applied) exclude each other, so a late setter can never
     * change an output after its fallback decided. Any thread (the plugin's).
     */
    final boolean write(Runnable change) {
        synchronized (this) {
            if (state.get() == DONE) {
                return false;
            }
            change.run();
            return true;
        }
    }

    @Override
    public Async async(Duration timeout, TimeoutFallback fallback) {
        if (!state.compareAndSet(CALLING, ASYNC)) {
            throw new IllegalStateException("async() must be called once, from within the callback");
        }
        asyncTimeout = timeout;
        asyncFallback = fallback;
        return () -> {
            boolean ended;
            synchronized (this) {
                ended = state.compareAndSet(ASYNC, DONE);
            }
            if (ended) {
                done.complete(null);
            }
        };
    }

    /** Whether the fallback decided (the plugin threw or missed its time). */
    boolean fellBack() {
        return fellBack;
    }

    boolean isAsync() {
        return state.get() == ASYNC;
    }

    Duration asyncTimeout() {
        return asyncTimeout;
    }

    TimeoutFallback asyncFallback() {
        return asyncFallback;
    }

    /** The callback returned without going asynchronous. */
    void returned() {
        boolean ended;
        synchronized (this) {
            ended = state.compareAndSet(CALLING, DONE);
        }
        if (ended) {
            done.complete(null);
        }
    }

    /** Ends the call with {@code fallback} unless it already ended; true if this call ended it. */
    boolean endWith(TimeoutFallback fallback) {
        return endWith(fallback, () -> { });
    }

    /**
     * Ends the call with {@code fallback} unless it already ended, running {@code beforeResult}
     * (logging, failure marks) before anyone waiting sees the result; true if this call ended it.
     */
    boolean endWith(TimeoutFallback fallback, Runnable beforeResult) {
        synchronized (this) { // no plugin write is half done while the fallback applies
            int s = state.get();
            if (s == DONE || !state.compareAndSet(s, DONE)) {
                return false;
            }
            fellBack = true;
            applyFallback(fallback);
        }
        beforeResult.run();
        done.complete(null);
        return true;
    }
}
