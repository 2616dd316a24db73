package io.meridianmq.cluster.hazelcast.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

import io.meridianmq.cluster.ReplicaChange;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** The cluster's copy of sessions on two real Hazelcast members in this JVM: written on one, taken on the other. */
public class SessionReplicasTest {

    private static HazelcastInstance first;
    private static HazelcastInstance second;
    private static final ExecutorService BACKGROUND = Executors.newFixedThreadPool(2);

    @BeforeClass
    public static void startTwoMembers() throws Exception {
        int a = freePort();
        int b = freePort();
        String members = "127.0.0.1:" + a + ",127.0.0.1:" + b;
        first = Hazelcast.newHazelcastInstance(MemberConfig.from(settings(a, members)));
        second = Hazelcast.newHazelcastInstance(MemberConfig.from(settings(b, members)));
        org.awaitility.Awaitility.await("split-brain protection sees both members").until(() -> first
                .getSplitBrainProtectionService().getSplitBrainProtection(MemberConfig.MAJORITY).hasMinimumSize());
    }

    private static ClusterSettings settings(int port, String members) {
        return ClusterSettings.from(Map.of("cluster_name", "replicas-" + members.hashCode(),
                "port", Integer.toString(port), "members", members));
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterClass
    public static void stop() {
        second.shutdown();
        first.shutdown();
        BACKGROUND.shutdown();
    }

    @Test
    public void aSessionWrittenOnOneMemberIsTakenOnTheOther() throws Exception {
        SessionReplicas writer = new SessionReplicas(first, BACKGROUND);
        SessionReplicas reader = new SessionReplicas(second, BACKGROUND);
        String client = "device@42/odd.name";
        writer.replicate(List.of(new ReplicaChange(client, "i1", "s", new byte[] {1}),
                new ReplicaChange(client, "i1", "u:a/+/c@x", new byte[] {2}),
                new ReplicaChange(client, "i1", "m:7", new byte[] {3}),
                new ReplicaChange(client, "i1", "m:8", new byte[] {4}),
                new ReplicaChange(client, "i1", "m:8", null),
                new ReplicaChange("other", "i9", "s", new byte[] {9}))).toCompletableFuture().get();
        Map<String, byte[]> taken = reader.take(client).toCompletableFuture().get();
        assertEquals(Map.of("s", 1, "u:a/+/c@x", 2, "m:7", 3).keySet(), taken.keySet());
        assertArrayEquals(new byte[] {3}, taken.get("m:7"));
        assertNull("taken: gone from the cluster", reader.take(client).toCompletableFuture().get());
        assertEquals(1, reader.take("other").toCompletableFuture().get().size());
    }

    @Test
    public void aRemovedIncarnationIsNotTakenButItsSuccessorIs() throws Exception {
        SessionReplicas writer = new SessionReplicas(first, BACKGROUND);
        String client = "again";
        String old = "18f00000000-7";
        String successor = "18f00000000-12";
        writer.replicate(List.of(new ReplicaChange(client, old, "s", new byte[] {1}),
                new ReplicaChange(client, old, "m:1", new byte[] {1}),
                new ReplicaChange(client, old, null, null),
                new ReplicaChange(client, successor, "s", new byte[] {2}),
                new ReplicaChange(client, successor, "m:2", new byte[] {2}))).toCompletableFuture().get();
        Map<String, byte[]> taken = new SessionReplicas(second, BACKGROUND).take(client).toCompletableFuture().get();
        assertEquals(java.util.Set.of("s", "m:2"), taken.keySet());
        assertArrayEquals(new byte[] {2}, taken.get("s"));
    }

    @Test
    public void aLeftOverOlderIncarnationLosesToTheNewest() throws Exception {
        SessionReplicas writer = new SessionReplicas(first, BACKGROUND);
        String client = "left-over";
        writer.replicate(List.of(new ReplicaChange(client, "18f00000001-9", "s", new byte[] {1}))).toCompletableFuture()
                .get();
        writer.replicate(List.of(new ReplicaChange(client, "18f00000002-1", "s", new byte[] {2}),
                new ReplicaChange(client, "18f00000002-1", "m:5", new byte[] {5}))).toCompletableFuture().get();
        Map<String, byte[]> taken = new SessionReplicas(second, BACKGROUND).take(client).toCompletableFuture().get();
        assertEquals(java.util.Set.of("s", "m:5"), taken.keySet());
        assertEquals(-1, SessionReplicas.compareIncarnations("18f00000002-9", "18f00000002-10"));
    }

}
