package io.meridianmq.broker.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.meridianmq.broker.Ban;

/**
 * Bans clients that flap: a client id, or an address, that connects more than
 * {@code flapping_max_count} times within {@code flapping_window} is banned for
 * {@code flapping_ban_time} (both the id and the address, so that a device changing its id does
 * not escape). The bans are ordinary entries of the ban list: logged, listed and removable
 * wherever bans are, with the reason "flapping".
 *
 * <p>Memory is bounded by the window: each key keeps the times of its connects within the
 * window only, and keys without a recent connect are dropped by {@link #forgetQuiet}.
 *
 * <p>Threading: any thread (connects arrive on every event loop); one key's times are guarded by
 * their deque's monitor.
 */
final class FlappingDetector {

    private final Supplier<BrokerSettings.Flapping> settings;
    private final BanList bans;
    private final Clock clock;
    private final ConcurrentHashMap<String, ArrayDeque<Instant>> connects = new ConcurrentHashMap<>();
    private final LongAdder banned = new LongAdder();

    FlappingDetector(Supplier<BrokerSettings.Flapping> settings, BanList bans, Clock clock) {
        this.settings = settings;
        this.bans = bans;
        this.clock = clock;
    }

    /**
     * A CONNECT from {@code clientId} at {@code address} (null when unknown): counted, and if
     * either has connected too often, both are banned. Returns whether it banned them.
     */
    boolean connected(String clientId, String address) {
        BrokerSettings.Flapping f = settings.get();
        if (f.maxCount() <= 0) {
            return false;
        }
        Instant now = clock.instant();
        boolean flapping = count("id:" + clientId, now, f) | (address != null && count("ip:" + address, now, f));
        if (!flapping) {
            return false;
        }
        String reason = "flapping: connected more than " + f.maxCount() + " times within " + f.window().toSeconds()
                + " s";
        bans.add(Ban.Kind.CLIENT_ID, clientId, f.banTime(), reason, "flapping detection");
        if (address != null) {
            bans.add(Ban.Kind.ADDRESS, address, f.banTime(), reason, "flapping detection");
        }
        connects.remove("id:" + clientId);
        if (address != null) {
            connects.remove("ip:" + address);
        }
        banned.increment();
        return true;
    }

    private boolean count(String key, Instant now, BrokerSettings.Flapping f) {
        ArrayDeque<Instant> times = connects.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            Instant oldest = now.minus(f.window());
            while (!times.isEmpty() && times.peekFirst().isBefore(oldest)) {
                times.pollFirst();
            }
            times.addLast(now);
            return times.size() > f.maxCount();
        }
    }

    /** Drops the keys with no connect within the window (called now and then by the core's timer). */
    void forgetQuiet() {
        Instant oldest = clock.instant().minus(settings.get().window());
        for (Iterator<Map.Entry<String, ArrayDeque<Instant>>> it = connects.entrySet().iterator(); it.hasNext();) {
            ArrayDeque<Instant> times = it.next().getValue();
            synchronized (times) {
                if (times.isEmpty() || times.peekLast().isBefore(oldest)) {
                    it.remove();
                }
            }
        }
    }

    /** How many times flapping clients were banned since start. */
    long bansIssued() {
        return banned.sum();
    }

    /** Keys watched now (bounded by the connects within one window). */
    int watched() {
        return connects.size();
    }
}
