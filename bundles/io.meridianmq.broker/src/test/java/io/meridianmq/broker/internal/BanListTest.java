package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;

import org.junit.Test;

/** Bans match by client id, user name or address, expire, survive a restart, and end matching connections. */
public class BanListTest {

    private static final InetSocketAddress HOST = new InetSocketAddress("10.1.2.3", 40000);

    @Test
    public void aBanMatchesItsKindExpiresAndIsReadBackAfterARestart() throws Exception {
        Path dir = Files.createTempDirectory("bans");
        Path file = dir.resolve("meridian/bans.properties");
        Clock t0 = Clock.fixed(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
        BanList bans = new BanList(file, new LocalSessionRegistry(null), t0);
        bans.add(Ban.Kind.CLIENT_ID, "rogue", null, "loops", "test");
        bans.add(Ban.Kind.USERNAME, "mallory", Duration.ofMinutes(10), "brute force", "test");
        bans.add(Ban.Kind.ADDRESS, "10.1.2.3", Duration.ofHours(1), "scanner\tand more", "test");

        assertTrue(bans.match("rogue", null, null).isPresent());
        assertEquals("brute force", bans.match("other", "mallory", null).orElseThrow().reason());
        assertEquals(Ban.Kind.ADDRESS, bans.match("other", "alice", HOST).orElseThrow().kind());
        assertFalse(bans.match("other", "alice", new InetSocketAddress("10.9.9.9", 1)).isPresent());

        Clock later = Clock.offset(t0, Duration.ofMinutes(30));
        BanList afterRestart = new BanList(file, new LocalSessionRegistry(null), later);
        assertFalse("the user name ban expired", afterRestart.match("other", "mallory", null).isPresent());
        assertTrue("the others came back from the file", afterRestart.match("rogue", null, null).isPresent());
        assertEquals(2, afterRestart.list().size());
        assertTrue(afterRestart.remove(Ban.Kind.CLIENT_ID, "rogue"));
        assertFalse(afterRestart.remove(Ban.Kind.CLIENT_ID, "rogue"));
        assertEquals(1, new BanList(file, new LocalSessionRegistry(null), later).list().size());
    }

    @Test
    public void aBannedClientIsRefusedAndABanEndsItsConnection() {
        BrokerCore core = SessionFlowTest.startedCore(Map.of());
        try {
            SessionFlowTest.RecordingConnection conn = new SessionFlowTest.RecordingConnection();
            ConnectRequest request = new ConnectRequest("dev-1", true, 60, null, null, null,
                    new InetSocketAddress("127.0.0.1", 40000), "test", 5, 0, 65535);
            ConnectResult first = core.connect(request, conn).toCompletableFuture().join();
            assertTrue(first.accepted());
            first.session().open();

            assertEquals("the connected client is disconnected", 1,
                    core.bans().add(Ban.Kind.CLIENT_ID, "dev-1", null, "stolen", "operator").disconnected());
            assertTrue(conn.closedBecause, conn.closedBecause.contains("stolen"));
            ConnectResult again = core.connect(request, new SessionFlowTest.RecordingConnection())
                    .toCompletableFuture().join();
            assertEquals(ConnectReturnCode.BANNED, again.code());
            core.bans().remove(Ban.Kind.CLIENT_ID, "dev-1");
            assertTrue(core.connect(request, new SessionFlowTest.RecordingConnection()).toCompletableFuture().join()
                    .accepted());
        } finally {
            core.deactivate();
        }
    }
}
