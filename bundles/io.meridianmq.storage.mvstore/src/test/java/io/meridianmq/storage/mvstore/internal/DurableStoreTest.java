package io.meridianmq.storage.mvstore.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DurableStoreTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private StoreSettings settings(String corrupt) {
        return StoreSettings.from(Map.of("persistence_location", folder.getRoot().toString(), "corrupt_store", corrupt));
    }

    private static void awaitDurable(DurableStore store) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        store.whenDurable(done::countDown);
        assertTrue("the store commits", done.await(10, TimeUnit.SECONDS));
    }

    private static StoredMessage message(String topic, int qos, int packetId) {
        StoredProperties props = new StoredProperties(true, "text/plain", "reply/here", new byte[] {1, 2},
                List.of(new StoredProperties.UserProperty("k", "v")));
        return new StoredMessage(topic, topic.getBytes(), qos, false, props, Long.MAX_VALUE, "publisher",
                new int[] {7}, packetId, false);
    }

    @Test
    public void sessionsAndRetainedMessagesSurviveAReopen() throws Exception {
        DurableStore store = DurableStore.open(settings("fail"));
        store.batch().putSession("a", 3600, 0, "u:alice")
                .putSubscription("a", new StoredSubscription("x/#", null, 1, true, false, 7))
                .putSubscription("a", new StoredSubscription("y", "g", 2, false, true, 0))
                .putMessage("a", 10, message("x/1", 1, 0))
                .putMessage("a", 11, message("x/2", 2, 0))
                .putMessage("a", 12, message("x/3", 1, 0))
                .addIncomingQos2("a", 42)
                .putWill("a", new StoredWill("will", new byte[] {9}, 1, true, StoredProperties.NONE, -1, 123L, "alice"))
                .submit();
        store.batch().updateMessage("a", 11, 5, true).removeMessage("a", 12).submit();
        store.batch().putSession("gone", 60, 1, null).putMessage("gone", 13, message("z", 1, 0)).submit();
        store.batch().removeSession("gone").submit();
        store.put(new RetainedMessage("r/1", new byte[] {1}, 1, StoredProperties.NONE, 0));
        store.put(new RetainedMessage("r/2", new byte[] {2}, 0, StoredProperties.NONE, 0));
        store.put(new RetainedMessage("s/1", new byte[] {3}, 0, StoredProperties.NONE, 0));
        store.remove("r/2");
        awaitDurable(store);
        store.close();

        DurableStore reopened = DurableStore.open(settings("fail"));
        try {
            List<RecoveredSession> sessions = new ArrayList<>();
            long highest = reopened.recover(sessions::add);
            // 12 and 13 were removed: in the commit that put them (never written), or in a later
            // one, whose tombstone still names them, so the next key must be above them; which
            // commits the batches fall into depends on the writer's timing
            assertTrue("highest " + highest, highest >= 11 && highest <= 13);
            assertEquals(1, sessions.size());
            RecoveredSession a = sessions.get(0);
            assertEquals("a", a.clientId());
            assertEquals(3600, a.expirySeconds());
            assertEquals("the owner survives the restart", "u:alice", a.owner());
            assertEquals(2, a.subscriptions().size());
            assertEquals(List.of(10L, 11L), new ArrayList<>(a.messages().keySet()));
            StoredMessage second = a.messages().get(11L);
            assertEquals(5, second.packetId());
            assertTrue(second.released());
            assertEquals("x/2", second.topic());
            assertEquals("text/plain", second.properties().contentType());
            assertArrayEquals(new int[] {7}, second.subscriptionIds());
            assertEquals(0, a.messages().get(10L).packetId());
            assertEquals(java.util.Set.of(42), a.incomingQos2());
            assertEquals("alice", a.will().username());
            List<String> topics = new ArrayList<>();
            reopened.forEachMatching("r/#", m -> topics.add(m.topic()));
            assertEquals(List.of("r/1"), topics);
            assertEquals(2, reopened.size());
        } finally {
            reopened.close();
        }
    }

    @Test
    public void theMessageLogKeepsWhatIsLiveAcrossCommitsAndDropsWhatIsDead() throws Exception {
        DurableStore store = DurableStore.open(settings("fail"));
        store.batch().putSession("s", 3600, 0, null).submit();
        long sequence = 0;
        for (int commit = 0; commit < 20; commit++) {
            for (int i = 0; i < 50; i++) {
                sequence++;
                store.batch().putMessage("s", sequence, message("m/" + sequence, 1, 0)).submit();
            }
            awaitDurable(store);
        }
        // remove all but every 100th, spread over several commits (tombstones pointing into many segments)
        for (long s = 1; s <= sequence; s++) {
            if (s % 100 != 0) {
                store.batch().removeMessage("s", s).submit();
            }
            if (s % 300 == 0) {
                awaitDurable(store);
            }
        }
        // one put and removed within the same commit is never written
        store.batch().putMessage("s", 5000, message("transient", 1, 0)).removeMessage("s", 5000).submit();
        awaitDurable(store);
        store.close();

        DurableStore reopened = DurableStore.open(settings("fail"));
        List<RecoveredSession> sessions = new ArrayList<>();
        reopened.recover(sessions::add);
        assertEquals(List.of(100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L),
                new ArrayList<>(sessions.get(0).messages().keySet()));
        assertEquals("m/700", sessions.get(0).messages().get(700L).topic());
        for (long s = 100; s <= 1000; s += 100) {
            reopened.batch().removeMessage("s", s).submit();
        }
        awaitDurable(reopened);
        reopened.close();

        DurableStore empty = DurableStore.open(settings("fail"));
        try {
            List<RecoveredSession> again = new ArrayList<>();
            empty.recover(again::add);
            assertTrue(again.get(0).messages().isEmpty());
            assertEquals("no segment or tombstone outlives its messages", 0, empty.messageRecordCount());
        } finally {
            empty.close();
        }
    }

    /**
     * The broker continues its message keys after the highest the store reports. A key that was
     * removed, and whose segment is gone, may still be named by a tombstone pointing into an older
     * segment; were it handed out again, the next start would take the new message for removed
     * and lose it.
     */
    @Test
    public void removedKeysStillNamedByATombstoneAreNotHandedOutAgain() throws Exception {
        DurableStore store = DurableStore.open(settings("fail"));
        store.batch().putSession("s", 3600, 0, null).putMessage("s", 1, message("a", 1, 0))
                .putMessage("s", 2, message("b", 1, 0)).submit();
        awaitDurable(store);
        store.batch().putMessage("s", 3, message("c", 1, 0)).submit();
        awaitDurable(store);
        // one tombstone for 1 (its segment lives on with 2) and 3 (its segment goes)
        store.batch().removeMessage("s", 1).removeMessage("s", 3).submit();
        awaitDurable(store);
        store.close();

        DurableStore reopened = DurableStore.open(settings("fail"));
        long highest = reopened.recover(r -> { });
        assertTrue("the next key must be above 3, the store says " + highest, highest >= 3);
        reopened.batch().putMessage("s", highest + 1, message("d", 1, 0)).submit();
        awaitDurable(reopened);
        reopened.close();

        DurableStore again = DurableStore.open(settings("fail"));
        try {
            List<RecoveredSession> sessions = new ArrayList<>();
            again.recover(sessions::add);
            assertEquals(List.of(2L, highest + 1), new ArrayList<>(sessions.get(0).messages().keySet()));
        } finally {
            again.close();
        }
    }

    @Test
    public void retainedWritesAreVisibleBeforeTheyAreApplied() throws Exception {
        DurableStore store = DurableStore.open(settings("fail"));
        try {
            for (int i = 0; i < 1000; i++) {
                store.put(new RetainedMessage("t/" + i, new byte[] {1}, 0, StoredProperties.NONE, 0));
            }
            List<String> seen = new ArrayList<>();
            store.forEachMatching("t/999", m -> seen.add(m.topic()));
            assertEquals(List.of("t/999"), seen);
            store.remove("t/999");
            seen.clear();
            store.forEachMatching("t/+", m -> seen.add(m.topic()));
            assertFalse(seen.contains("t/999"));
            assertEquals(999, seen.size());
        } finally {
            store.close();
        }
    }

    @Test
    public void aSecondBrokerOnTheSameStoreIsRefused() throws Exception {
        DurableStore store = DurableStore.open(settings("move_aside"));
        try {
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> DurableStore.open(settings("move_aside")));
            assertTrue(e.getMessage(), e.getMessage().contains("in use by another broker"));
        } finally {
            store.close();
        }
    }

    @Test
    public void aTruncatedStoreIsReportedWithItsFileOrMovedAsideWhenAsked() throws Exception {
        DurableStore store = DurableStore.open(settings("fail"));
        for (int i = 0; i < 2000; i++) {
            store.put(new RetainedMessage("t/" + i, new byte[100], 0, StoredProperties.NONE, 0));
        }
        awaitDurable(store);
        store.close();
        Path file = folder.getRoot().toPath().resolve("meridian.db");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(64 * 1024); // cuts into the records (the file is allocated in large steps)
        }
        StoreFile.CorruptStoreException e = assertThrows(StoreFile.CorruptStoreException.class,
                () -> DurableStore.open(settings("fail")));
        assertTrue(e.getMessage(), e.getMessage().contains(file.toAbsolutePath().toString()));
        assertTrue(e.getMessage(), e.getMessage().contains("corrupt_store = move_aside"));

        DurableStore fresh = DurableStore.open(settings("move_aside"));
        try {
            assertEquals(0, fresh.size());
            try (Stream<Path> files = Files.list(folder.getRoot().toPath())) {
                assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("meridian.db.corrupt-")));
            }
            List<String> none = new ArrayList<>();
            fresh.forEachMatching("#", m -> none.add(m.topic()));
            assertNull(none.isEmpty() ? null : none);
        } finally {
            fresh.close();
        }
    }
}
