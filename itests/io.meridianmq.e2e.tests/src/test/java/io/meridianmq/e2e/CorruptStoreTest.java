package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;

/**
 * A damaged store file stops the broker with a log line that names the file and the way out;
 * the operator's explicit {@code corrupt_store = move_aside}, applied live, keeps the damaged file
 * beside the new one and the broker starts, empty. Nothing is dropped silently.
 */
public class CorruptStoreTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess();

    @Test
    public void aTruncatedStoreIsReportedThenMovedAsideOnRequest() throws Exception {
        try (V5Client c = new V5Client(broker.uri(), "retainer")) {
            c.connect();
            for (int i = 0; i < 500; i++) {
                c.publish("corrupt/" + i, "x".repeat(1000), 1, true);
            }
            c.disconnect();
        }
        broker.kill();
        Path store = broker.home().resolve("data/store/meridian.db");
        try (RandomAccessFile file = new RandomAccessFile(store.toFile(), "rw")) {
            file.setLength(64 * 1024); // cuts into the records (the file is allocated in large steps)
        }

        broker.restartAwaiting("is corrupt or truncated");
        String log = broker.log();
        assertTrue(log, log.contains(store.toString()));
        assertTrue(log, log.contains("corrupt_store = move_aside"));
        assertFalse("no listener on a broken store", log.contains(broker.listeningLine()));

        // the operator chooses to start empty; the configuration applies without a restart
        Files.writeString(broker.home().resolve("etc/io.meridianmq.storage.cfg"),
                "persistence = true\ncorrupt_store = move_aside\n");
        broker.awaitLog(broker.listeningLine(), java.time.Duration.ofSeconds(60));
        assertTrue(broker.log(), broker.log().contains("an empty store is used"));
        try (Stream<Path> files = Files.list(store.getParent())) {
            assertTrue("the damaged file is kept", files.anyMatch(p -> p.getFileName().toString()
                    .startsWith("meridian.db.corrupt-")));
        }
        try (V5Client c = new V5Client(broker.uri(), "after")) {
            c.connect();
            c.subscribe(V5Client.sub("corrupt/#", 1));
            assertEquals(null, c.poll(500));
        }
    }
}
