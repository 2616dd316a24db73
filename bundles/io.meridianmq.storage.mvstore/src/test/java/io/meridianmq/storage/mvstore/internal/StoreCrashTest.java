package io.meridianmq.storage.mvstore.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The store survives kill -9 in the middle of its commits: a child process writes batches as the
 * broker does ({@link StoreCrashWriter}) and is killed again and again at random moments; after
 * each kill the store must open, and hold exactly the state of one batch no older than the last
 * one it reported durable: nothing acknowledged lost, nothing half-written, nothing removed back.
 */
public class StoreCrashTest {

    private static final int KILLS = 20;

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void everyDurableBatchSurvivesKillsInTheMiddleOfCommits() throws Exception {
        Random random = new Random();
        long lastDurable = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            long durable = runAndKill(10 + random.nextInt(300));
            lastDurable = Math.max(lastDurable, durable);
            DurableStore store;
            try {
                store = DurableStore.open(StoreSettings.from(Map.of("persistence_location", folder.getRoot().toString())));
            } catch (Exception e) {
                throw new AssertionError("kill " + kill + ": the store does not open after kill -9 (batch " + lastDurable
                        + " was durable): " + e, e);
            }
            try {
                List<RecoveredSession> sessions = new ArrayList<>();
                long highest = store.recover(sessions::add) / StoreCrashWriter.SESSIONS;
                assertTrue("kill " + kill + ": batch " + lastDurable + " was reported durable, the store has "
                        + highest, highest >= lastDurable);
                assertEquals("kill " + kill + ": sessions", StoreCrashWriter.SESSIONS, sessions.size());
                for (RecoveredSession session : sessions) {
                    int c = Integer.parseInt(session.clientId().substring(1));
                    Map<Long, StoredMessage> messages = session.messages();
                    assertEquals("kill " + kill + ": the messages of " + session.clientId() + " after batch " + highest,
                            StoreCrashWriter.liveAfter(highest, c), new ArrayList<>(messages.keySet()));
                    if (highest > 1) {
                        StoredMessage released = messages.get(StoreCrashWriter.sequence(highest - 1, c));
                        assertEquals("kill " + kill + ": QoS 2 state of message " + (highest - 1),
                                StoreCrashWriter.packetId(highest - 1), released.packetId());
                        assertTrue("kill " + kill + ": message " + (highest - 1) + " released", released.released());
                    }
                }
                List<String> retained = new ArrayList<>();
                store.forEachMatching("r", m -> retained.add(new String(m.payload(), StandardCharsets.UTF_8)));
                // the retained message is its own batch, after the messages': it may be one behind
                assertTrue("kill " + kill + ": retained " + retained + " after batch " + highest,
                        retained.equals(List.of(Long.toString(highest)))
                                || retained.equals(List.of(Long.toString(highest - 1))));
                lastDurable = highest;
            } finally {
                store.close();
            }
        }
    }

    /** Starts the writer, kills it (SIGKILL) once it has reported {@code batches} more durable batches. */
    private long runAndKill(int batches) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process writer = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                StoreCrashWriter.class.getName(), folder.getRoot().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long last = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            int seen = 0;
            String line;
            while (seen < batches && (line = out.readLine()) != null) {
                last = Long.parseLong(line.trim());
                seen++;
            }
            if (seen < batches) {
                fail("the writer stopped by itself after " + seen + " batches (exit " + writer.waitFor() + ")");
            }
            writer.destroyForcibly(); // SIGKILL, in the middle of whatever commit is under way
            // what it printed before it died was durable too, as far as it can still be read
            try {
                while ((line = out.readLine()) != null) {
                    if (!line.isBlank()) {
                        last = Long.parseLong(line.trim());
                    }
                }
            } catch (java.io.IOException | NumberFormatException closedOrTorn) {
                // the pipe went with the process, or its last line was cut: the earlier ones hold
            }
        } finally {
            writer.destroyForcibly();
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        }
        return last;
    }
}
