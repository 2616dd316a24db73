package io.meridianmq.broker.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed authentications per client address and says how long to hold back the answer
 * to the next failure, so that guessing passwords from one address gets slow: the first
 * {@link #FREE_FAILURES} failures are answered at once, then the delay doubles from 250 ms up
 * to 10 s. A success, or {@link #FORGET_AFTER_MILLIS} without failures, clears the address.
 * The table is bounded: when full, quiet addresses go first, then all (logged).
 *
 * <p>Threading: safe for any thread; nothing here blocks. The delay is applied by the caller
 * with a timer, never by sleeping on an event loop.
 */
final class FailedLogins {

    private static final Logger LOG = LoggerFactory.getLogger(FailedLogins.class);
    static final int FREE_FAILURES = 3;
    static final long FIRST_DELAY_MILLIS = 250;
    static final long MAX_DELAY_MILLIS = 10_000;
    static final long FORGET_AFTER_MILLIS = 10 * 60_000;
    private static final int MAX_ADDRESSES = 100_000;

    private record Failures(int count, long lastMillis) {
    }

    private final ConcurrentHashMap<InetAddress, Failures> byAddress = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    /** Records a failure from {@code address}; returns how long to delay the refusal. */
    long failed(InetAddress address, String clientId) {
        total.incrementAndGet();
        if (address == null) {
            return 0;
        }
        long now = System.currentTimeMillis();
        if (byAddress.size() >= MAX_ADDRESSES) {
            prune(now);
        }
        Failures f = byAddress.compute(address, (a, old) -> old == null || now - old.lastMillis > FORGET_AFTER_MILLIS
                ? new Failures(1, now) : new Failures(old.count + 1, now));
        int n = f.count;
        if (n == FREE_FAILURES + 1 || n % 100 == 0) {
            LOG.warn("{} failed authentications in a row from {} (last client id '{}'); answers to it are now "
                    + "delayed by {} ms", n, address.getHostAddress(), clientId, delayFor(n));
        }
        return delayFor(n);
    }

    static long delayFor(int failures) {
        if (failures <= FREE_FAILURES) {
            return 0;
        }
        int doublings = Math.min(failures - FREE_FAILURES - 1, 10);
        return Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << doublings);
    }

    void succeeded(InetAddress address) {
        if (address != null && !byAddress.isEmpty()) {
            byAddress.remove(address);
        }
    }

    long total() {
        return total.get();
    }

    private void prune(long now) {
        byAddress.entrySet().removeIf(e -> now - e.getValue().lastMillis > FORGET_AFTER_MILLIS);
        if (byAddress.size() >= MAX_ADDRESSES) {
            LOG.warn("Failed authentications from more than {} addresses; forgetting them all", MAX_ADDRESSES);
            byAddress.clear();
        }
    }
}
