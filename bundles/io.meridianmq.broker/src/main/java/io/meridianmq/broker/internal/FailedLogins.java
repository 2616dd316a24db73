package io.meridianmq.broker.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts failed authentications per client address and per user name and says how long to hold
 * back the answer to the next failure, so that guessing passwords gets slow whether the guesses
 * come from one address or aim at one account from many: the first {@link #FREE_FAILURES}
 * failures are answered at once, then the delay doubles from 250 ms up to 5 s (the larger of
 * the two counts decides). A user's successful login clears that user's count only, never the
 * address's nor another user's (else one valid account would reset an attacker's count); a
 * count without failures for {@link #FORGET_AFTER_MILLIS} is forgotten. The tables are
 * bounded: when full, quiet entries go first, then all (logged).
 *
 * <p>Threading: safe for any thread; nothing here blocks. The delay is applied by the caller
 * with a timer, never by sleeping on an event loop.
 */
final class FailedLogins {

    private static final Logger LOG = LoggerFactory.getLogger(FailedLogins.class);
    static final int FREE_FAILURES = 3;
    static final long FIRST_DELAY_MILLIS = 250;
    /** Below the connect timeouts clients commonly use (10 s and more), so they hear the answer. */
    static final long MAX_DELAY_MILLIS = 5_000;
    static final long FORGET_AFTER_MILLIS = 10 * 60_000;
    private static final int MAX_ADDRESSES = 100_000;

    private record Failures(int count, long lastMillis) {
    }

    private final ConcurrentHashMap<InetAddress, Failures> byAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Failures> byUser = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    /**
     * Records a failure from {@code address} for {@code username} (null: none presented);
     * returns how long to delay the refusal.
     */
    long failed(InetAddress address, String username, String clientId) {
        total.incrementAndGet();
        long now = System.currentTimeMillis();
        int byAddressCount = address == null ? 0 : count(byAddress, address, now);
        int byUserCount = username == null ? 0 : count(byUser, username, now);
        if (byAddressCount == FREE_FAILURES + 1 || (byAddressCount > 0 && byAddressCount % 100 == 0)) {
            LOG.warn("{} failed authentications in a row from {} (last client id '{}'); answers to it are now "
                    + "delayed by {} ms", byAddressCount, address.getHostAddress(), clientId, delayFor(byAddressCount));
        }
        if (byUserCount == FREE_FAILURES + 1 || (byUserCount > 0 && byUserCount % 100 == 0)) {
            LOG.warn("{} failed authentications in a row for user '{}' (last from {}, client id '{}'); answers "
                    + "for it are now delayed by {} ms", byUserCount, username,
                    address == null ? "?" : address.getHostAddress(), clientId, delayFor(byUserCount));
        }
        return delayFor(Math.max(byAddressCount, byUserCount));
    }

    private static <K> int count(ConcurrentHashMap<K, Failures> table, K key, long now) {
        if (table.size() >= MAX_ADDRESSES) {
            prune(table, now);
        }
        return table.compute(key, (k, old) -> old == null || now - old.lastMillis > FORGET_AFTER_MILLIS
                ? new Failures(1, now) : new Failures(old.count + 1, now)).count;
    }

    static long delayFor(int failures) {
        if (failures <= FREE_FAILURES) {
            return 0;
        }
        int doublings = Math.min(failures - FREE_FAILURES - 1, 10);
        return Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << doublings);
    }

    /** {@code username} proved its credentials: its own count starts again. */
    void succeeded(String username) {
        if (username != null && !byUser.isEmpty()) {
            byUser.remove(username);
        }
    }

    long total() {
        return total.get();
    }

    private static <K> void prune(ConcurrentHashMap<K, Failures> table, long now) {
        table.entrySet().removeIf(e -> now - e.getValue().lastMillis > FORGET_AFTER_MILLIS);
        if (table.size() >= MAX_ADDRESSES) {
            LOG.warn("Failed authentications for more than {} addresses or user names; forgetting them all",
                    MAX_ADDRESSES);
            table.clear();
        }
    }
}
