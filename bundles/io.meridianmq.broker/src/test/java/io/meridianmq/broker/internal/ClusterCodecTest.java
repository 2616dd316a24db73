package io.meridianmq.broker.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;

import org.junit.Test;

/** The bytes that cross between cluster nodes read back as they were written. */
public class ClusterCodecTest {

    private static StoredMessage stored(String payload, int packetId, boolean released) {
        return new StoredMessage("t/1", payload.getBytes(StandardCharsets.UTF_8), 2, false,
                new StoredProperties(true, "text/plain", "reply/here", new byte[] {7},
                        List.of(new StoredProperties.UserProperty("k", "v"))),
                Long.MAX_VALUE, "publisher", new int[] {3, 4}, packetId, released);
    }

    @Test
    public void aMessageKeepsEverythingNoLocalAndExpiryNeed() {
        PublishProperties p = new PublishProperties(true, "application/json", "replies", new byte[] {1, 2},
                List.of(new UserProperty("a", "b")));
        Message m = new Message("a/b", new byte[] {9, 8}, 1, true, p, 123_456L, "client-1");
        Message back = ClusterCodec.message(ClusterCodec.message(m));
        assertEquals("a/b", back.topic());
        assertArrayEquals(new byte[] {9, 8}, back.payload());
        assertEquals(1, back.qos());
        assertEquals(true, back.retain());
        assertEquals(123_456L, back.expiresAtMillis());
        assertEquals("client-1", back.publisherId());
        assertEquals("application/json", back.properties().contentType());
        assertEquals("b", back.properties().userProperties().get(0).value());
    }

    @Test
    public void aHandedSessionKeepsPacketIdsReleaseStateAndMessageIds() {
        TreeMap<Long, StoredMessage> messages = new TreeMap<>();
        messages.put(1L, stored("in flight", 17, true));
        messages.put(2L, stored("queued", 0, false));
        RecoveredSession s = new RecoveredSession("c", 300, 42, List.of(new StoredSubscription("t/#", null, 2,
                true, true, 5), new StoredSubscription("jobs/#", "g", 1, false, false, 0)), messages, Set.of(9, 10),
                null, "owner");
        HandedSession back = ClusterCodec.handed(ClusterCodec.handed(new HandedSession(s, Map.of(2L, "node:7"))));
        assertEquals(2, back.session().subscriptions().size());
        assertEquals("g", back.session().subscriptions().get(1).shareName());
        assertEquals(17, back.session().messages().get(1L).packetId());
        assertEquals(true, back.session().messages().get(1L).released());
        assertEquals("node:7", back.messageIds().get(2L));
        assertNull(back.messageIds().get(1L));
        assertEquals(Set.of(9, 10), back.session().incomingQos2());
        assertEquals("owner", back.session().owner());
    }

    @Test
    public void theClusterCopyOfASessionIsRebuiltFromItsEntries() {
        Map<String, byte[]> entries = new HashMap<>();
        entries.put(ReplicaKeys.SESSION, ClusterCodec.header(600, 0, "o"));
        entries.put(ReplicaKeys.subscription("t/#"), ClusterCodec.subscription(new StoredSubscription("t/#", null, 1,
                false, false, 0)));
        entries.put(ReplicaKeys.message(5), ClusterCodec.stored(stored("five", 0, false)));
        entries.put(ReplicaKeys.delivery(5), ClusterCodec.delivery(33, true));
        entries.put(ReplicaKeys.incomingQos2(4), new byte[] {1});
        RecoveredSession r = ClusterCodec.replica("c", entries);
        assertEquals(600, r.expirySeconds());
        assertEquals(1, r.subscriptions().size());
        assertEquals(33, r.messages().get(5L).packetId());
        assertEquals(true, r.messages().get(5L).released());
        assertEquals(Set.of(4), r.incomingQos2());
        assertNull("no header: no session", ClusterCodec.replica("c", Map.of()));
    }

    @Test
    public void aLiveWillKeepsItsDelayExpiriesAndOwner() {
        PublishProperties p = new PublishProperties(false, null, "replies", null, List.of(new UserProperty("a", "b")));
        io.meridianmq.broker.WillMessage w = new io.meridianmq.broker.WillMessage("dev/7/state", new byte[] {0, 1}, 2,
                true, p, 30, 3600);
        ClusterCodec.LiveWill back = ClusterCodec.will(ClusterCodec.will(new ClusterCodec.LiveWill(w, "alice", 600)));
        assertEquals("dev/7/state", back.will().topic());
        assertArrayEquals(new byte[] {0, 1}, back.will().payload());
        assertEquals(2, back.will().qos());
        assertEquals(true, back.will().retain());
        assertEquals("replies", back.will().properties().responseTopic());
        assertEquals(List.of(new UserProperty("a", "b")), back.will().properties().userProperties());
        assertEquals(30, back.will().delaySeconds());
        assertEquals(3600, back.will().messageExpirySeconds());
        assertEquals("alice", back.username());
        assertEquals(600, back.sessionExpirySeconds());
        assertNull(ClusterCodec.will(ClusterCodec.will(new ClusterCodec.LiveWill(w, null, 0))).username());
    }

    @Test
    public void bytesOfAnotherFormatAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterCodec.message(new byte[] {99, 0, 0}));
        assertEquals(true, e.getMessage().contains("format 99"));
    }
}
