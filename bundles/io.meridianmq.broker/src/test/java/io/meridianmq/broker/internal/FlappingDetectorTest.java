package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

/** A client id or address connecting too often within the window is banned, both keys, for the ban time. */
public class FlappingDetectorTest {

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-03T10:00:00Z"));

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }
    }

    private final MovingClock clock = new MovingClock();
    private final BanList bans = new BanList(null, new LocalSessionRegistry(null), clock);
    private final BrokerSettings.Flapping settings = new BrokerSettings.Flapping(3, Duration.ofSeconds(60),
            Duration.ofSeconds(300));
    private final FlappingDetector detector = new FlappingDetector(() -> settings, bans, clock);
    private final InetSocketAddress host = new InetSocketAddress("10.1.2.3", 40000);
    private final InetSocketAddress other = new InetSocketAddress("10.9.9.9", 40000);

    @Test
    public void moreThanTheCountWithinTheWindowBansTheIdAndTheAddress() {
        for (int i = 0; i < 3; i++) {
            assertFalse(detector.connected("dev", "10.1.2.3"));
            clock.advance(Duration.ofSeconds(10));
        }
        assertTrue("the fourth connect within a minute", detector.connected("dev", "10.1.2.3"));
        assertTrue("the id is banned from anywhere", bans.match("dev", null, other).isPresent());
        assertTrue("and the address under any id", bans.match("renamed", null, host).isPresent());
        assertTrue(bans.match("dev", null, other).get().reason().startsWith("flapping"));
        assertEquals(1, detector.bansIssued());
        clock.advance(Duration.ofSeconds(301));
        assertFalse("the ban ends after flapping_ban_time", bans.match("dev", null, host).isPresent());
    }

    @Test
    public void changingTheIdDoesNotEscapeAndSlowReconnectsAreFine() {
        for (int i = 0; i < 3; i++) {
            assertFalse(detector.connected("id-" + i, "10.1.2.3"));
        }
        assertTrue("a fourth id from the same address", detector.connected("id-3", "10.1.2.3"));

        for (int i = 0; i < 10; i++) {
            assertFalse("one connect every 30 s is not flapping", detector.connected("steady", "10.5.5.5"));
            clock.advance(Duration.ofSeconds(30));
        }
        detector.forgetQuiet();
        clock.advance(Duration.ofSeconds(61));
        detector.forgetQuiet();
        assertEquals("nothing is kept for quiet clients", 0, detector.watched());
    }

    @Test
    public void zeroTurnsItOff() {
        FlappingDetector off = new FlappingDetector(() -> new BrokerSettings.Flapping(0, Duration.ofSeconds(60),
                Duration.ofSeconds(300)), bans, clock);
        for (int i = 0; i < 100; i++) {
            assertFalse(off.connected("dev", "10.1.2.3"));
        }
    }
}
