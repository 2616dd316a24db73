package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.broker.WillMessage;
import io.meridianmq.storage.memory.internal.InMemoryRetainedMessageStore;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The session state machine, driven through the core's API with connections that record what
 * they are asked to send. Every executor runs tasks at once, so each step is complete when the
 * call returns.
 */
public class SessionFlowTest {

    /** A connection that records what the core sends to it. */
    static final class RecordingConnection implements ClientConnection {
        final List<OutboundPublish> published = new ArrayList<>();
        final List<Integer> pubrels = new ArrayList<>();
        String closedBecause;

        @Override
        public Executor executor() {
            return Runnable::run;
        }

        @Override
        public boolean sendPublish(OutboundPublish publish) {
            published.add(publish);
            return true;
        }

        @Override
        public void sendPubrel(int packetId) {
            pubrels.add(packetId);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(DisconnectReason reason, String detail) {
            closedBecause = detail;
        }

        OutboundPublish last() {
            return published.get(published.size() - 1);
        }
    }

    private BrokerCore core;

    /** A started core whose offline sessions run their tasks at once, with the default authenticator. */
    static BrokerCore startedCore(Map<String, Object> config) {
        return startedCore(config, PluginInvoker.CALL_TIMEOUT);
    }

    static BrokerCore startedCore(Map<String, Object> config, java.time.Duration pluginCallTimeout) {
        return startedCore(config, pluginCallTimeout, new java.util.concurrent.atomic.AtomicReference<>());
    }

    /** A started core whose threads are handed out in {@code threads} (to look at its timers). */
    static BrokerCore startedCore(Map<String, Object> config, java.time.Duration pluginCallTimeout,
            java.util.concurrent.atomic.AtomicReference<CoreThreads> threads) {
        BrokerCore core = new BrokerCore() {
            @Override
            CoreThreads newThreads() {
                CoreThreads made = new CoreThreads() {
                    @Override
                    Executor offlineExecutor(String clientId) {
                        return Runnable::run;
                    }
                };
                threads.set(made);
                return made;
            }
        };
        core.retained = new InMemoryRetainedMessageStore();
        core.store = new io.meridianmq.storage.memory.internal.TransientSessionStore();
        core.plugins.authenticators.add(new AnonymousAuthenticator(), "anonymous", Integer.MIN_VALUE);
        core.metrics = new MetricsRegistry();
        core.pluginCallTimeout = pluginCallTimeout;
        core.activate(config);
        return core;
    }

    @Before
    public void startCore() {
        core = startedCore(Map.of("max_inflight_messages", "2", "max_queued_messages", "3"));
    }

    @After
    public void stopCore() {
        core.deactivate();
    }

    private ConnectResult connect(String clientId, boolean clean, RecordingConnection connection, WillMessage will) {
        ConnectRequest request = new ConnectRequest(clientId, clean, 60, null, null, will,
                new InetSocketAddress("127.0.0.1", 40000), "test", 4, clean ? 0 : ConnectRequest.NEVER_EXPIRES, 65535);
        ConnectResult result = core.connect(request, connection).toCompletableFuture().join();
        if (result.accepted()) {
            result.session().open();
        }
        return result;
    }

    private ClientSession session(String clientId, boolean clean, RecordingConnection connection) {
        ConnectResult result = connect(clientId, clean, connection, null);
        assertTrue(result.accepted());
        return result.session();
    }

    private static InboundPublish publish(String topic, String payload, int qos, int packetId, boolean retain) {
        return new InboundPublish(packetId, topic, payload.getBytes(StandardCharsets.UTF_8), qos, retain);
    }

    private static String text(OutboundPublish p) {
        return new String(p.payload(), StandardCharsets.UTF_8);
    }

    private static void subscribe(ClientSession s, String filter, int qos) {
        int[][] granted = new int[1][];
        s.subscribe(List.of(new TopicSubscription(filter, qos)), g -> granted[0] = g);
        assertEquals(qos, granted[0][0]);
    }

    @Test
    public void overlappingSubscriptionsDeliverOnceAtTheirHighestQos() {
        RecordingConnection subConn = new RecordingConnection();
        ClientSession sub = session("sub", true, subConn);
        subscribe(sub, "a/+", 0);
        subscribe(sub, "a/#", 2);
        subscribe(sub, "a/b", 1);
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("a/b", "once", 1, 1, false), r -> { });
        assertEquals("three matching filters, one delivery", 1, subConn.published.size());
        assertEquals("the highest subscription QoS, capped by the message's", 1, subConn.last().qos());
    }

    @Test
    public void manyOverlappingSessionsEachGetOneDelivery() {
        // more matches than routing merges by scanning: the map path must give the same answer
        List<RecordingConnection> conns = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RecordingConnection c = new RecordingConnection();
            ClientSession s = session("many-" + i, true, c);
            subscribe(s, "m/+", 0);
            subscribe(s, "m/#", 1);
            conns.add(c);
        }
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("m/x", "fan", 1, 1, false), r -> { });
        for (RecordingConnection c : conns) {
            assertEquals(1, c.published.size());
            assertEquals(1, c.last().qos());
        }
    }

    @Test
    public void inflightWindowIsRespectedAndRefilledOnAck() {
        RecordingConnection subConn = new RecordingConnection();
        ClientSession sub = session("sub", true, subConn);
        subscribe(sub, "t", 1);
        ClientSession pub = session("pub", true, new RecordingConnection());
        int[] acks = new int[1];
        for (int i = 1; i <= 4; i++) {
            pub.publish(publish("t", "m" + i, 1, i, false), r -> acks[0]++);
        }
        assertEquals("the publisher is acknowledged for every message", 4, acks[0]);
        assertEquals("max_inflight_messages = 2", 2, subConn.published.size());
        sub.acknowledge(subConn.published.get(0).packetId());
        assertEquals(3, subConn.published.size());
        assertEquals("m3", text(subConn.last()));
        sub.acknowledge(subConn.published.get(1).packetId());
        sub.acknowledge(subConn.published.get(2).packetId());
        assertEquals(4, subConn.published.size());
        assertEquals("m4", text(subConn.last()));
    }

    @Test
    public void queueLimitDropsAndCounts() {
        RecordingConnection subConn = new RecordingConnection();
        ClientSession sub = session("sub", false, subConn);
        subscribe(sub, "t", 1);
        sub.disconnected(false);
        ClientSession pub = session("pub", true, new RecordingConnection());
        for (int i = 1; i <= 5; i++) {
            pub.publish(publish("t", "m" + i, 1, i, false), r -> { });
        }
        assertEquals("max_queued_messages = 3, so two are dropped", 2, core.droppedMessages());
        RecordingConnection back = new RecordingConnection();
        ConnectResult again = connect("sub", false, back, null);
        assertTrue(again.sessionPresent());
        assertEquals(2, back.published.size()); // the in-flight window, then the rest on acks
        assertEquals("m1", text(back.published.get(0)));
    }

    @Test
    public void unacknowledgedMessagesAreResentWithDupAndQos2ResumesWithPubrel() {
        RecordingConnection first = new RecordingConnection();
        ClientSession sub = session("sub", false, first);
        subscribe(sub, "t", 2);
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("t", "q2-a", 2, 1, false), r -> { });
        pub.release(1, r -> { });
        pub.publish(publish("t", "q2-b", 2, 2, false), r -> { });
        pub.release(2, r -> { });
        assertEquals(2, first.published.size());
        sub.received(first.published.get(0).packetId()); // PUBREC for a, not yet PUBCOMP
        assertEquals(List.of(first.published.get(0).packetId()), first.pubrels);
        sub.disconnected(true);

        RecordingConnection second = new RecordingConnection();
        ConnectResult again = connect("sub", false, second, null);
        assertTrue(again.sessionPresent());
        assertEquals("a: PUBREL again", List.of(first.published.get(0).packetId()), second.pubrels);
        assertEquals("b: PUBLISH again", 1, second.published.size());
        OutboundPublish resent = second.published.get(0);
        assertTrue(resent.dup());
        assertEquals("q2-b", text(resent));
        assertEquals(first.published.get(1).packetId(), resent.packetId());
    }

    /**
     * After a takeover, a PUBREC still in flight on the old connection must not act on the
     * session: the new connection has had the PUBLISH again and answers it itself. Acting on both
     * sent PUBREL twice on the new connection, and Paho (which delivers a QoS 2 message on
     * PUBREL) handed the message to its application twice (CrashRecoveryTest, CI 2026-12-03).
     */
    @Test
    public void acknowledgementsFromATakenOverConnectionAreIgnored() {
        RecordingConnection first = new RecordingConnection();
        ClientSession sub = session("sub", false, first);
        subscribe(sub, "t", 2);
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("t", "q2", 2, 1, false), r -> { });
        pub.release(1, r -> { });
        pub.publish(publish("t", "q1", 1, 2, false), r -> { });
        int q2 = first.published.get(0).packetId();
        int q1 = first.published.get(1).packetId();

        RecordingConnection second = new RecordingConnection();
        ClientSession resumed = connect("sub", false, second, null).session();
        assertEquals("both sent again on the new connection", 2, second.published.size());
        sub.received(q2); // the old connection's PUBREC and PUBACK arrive late
        sub.acknowledge(q1);
        assertEquals("no PUBREL for the old connection's PUBREC", List.of(), second.pubrels);
        resumed.received(q2); // the new connection's own PUBREC
        assertEquals("one PUBREL, for the new connection's PUBREC", List.of(q2), second.pubrels);
        resumed.acknowledge(q1);
        resumed.complete(q2);
        RecordingConnection third = new RecordingConnection();
        connect("sub", false, third, null);
        assertEquals("nothing left in flight", 0, third.published.size() + third.pubrels.size());
    }

    @Test
    public void duplicateQos2PublishIsRoutedOnce() {
        RecordingConnection subConn = new RecordingConnection();
        ClientSession sub = session("sub", true, subConn);
        subscribe(sub, "t", 0);
        ClientSession pub = session("pub", true, new RecordingConnection());
        int[] pubrecs = new int[1];
        pub.publish(publish("t", "once", 2, 9, false), r -> pubrecs[0]++);
        pub.publish(publish("t", "once", 2, 9, false), r -> pubrecs[0]++); // resent before PUBREL
        assertEquals(2, pubrecs[0]);
        assertEquals(1, subConn.published.size());
        pub.release(9, r -> { });
        pub.publish(publish("t", "again", 2, 9, false), r -> { }); // the id is free again
        assertEquals(2, subConn.published.size());
    }

    @Test
    public void takeoverClosesTheOldConnectionAndKeepsThePersistentSession() {
        RecordingConnection old = new RecordingConnection();
        ClientSession first = session("same", false, old);
        subscribe(first, "t", 1);
        RecordingConnection fresh = new RecordingConnection();
        ConnectResult second = connect("same", false, fresh, null);
        assertTrue(second.sessionPresent());
        assertTrue(old.closedBecause.contains("taken over"));
        first.disconnected(true); // the old connection's close arrives afterwards
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("t", "to fresh", 1, 1, false), r -> { });
        assertEquals(0, old.published.size());
        assertEquals("to fresh", text(fresh.last()));
    }

    @Test
    public void cleanSessionDiscardsTheOldSession() {
        ClientSession first = session("c", false, new RecordingConnection());
        subscribe(first, "t", 1);
        first.disconnected(false);
        RecordingConnection conn = new RecordingConnection();
        ConnectResult clean = connect("c", true, conn, null);
        assertFalse(clean.sessionPresent());
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("t", "nobody", 1, 1, false), r -> { });
        assertEquals(0, conn.published.size());
    }

    @Test
    public void willIsPublishedOnAbruptCloseOnly() {
        RecordingConnection watcherConn = new RecordingConnection();
        ClientSession watcher = session("watcher", true, watcherConn);
        subscribe(watcher, "wills/#", 1);
        WillMessage will = new WillMessage("wills/a", "bye".getBytes(StandardCharsets.UTF_8), 1, false);
        connect("polite", true, new RecordingConnection(), will).session().disconnected(false);
        assertEquals(0, watcherConn.published.size());
        connect("abrupt", true, new RecordingConnection(), will).session().disconnected(true);
        assertEquals("bye", text(watcherConn.last()));
    }

    @Test
    public void retainedMessagesFollowTheirRules() throws InterruptedException {
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("r/a", "one", 1, 1, true), r -> { });
        pub.publish(publish("r/a", "two", 0, 0, true), r -> { });
        RecordingConnection subConn = new RecordingConnection();
        ClientSession sub = session("sub", true, subConn);
        subscribe(sub, "r/+", 1);
        // retained messages are looked up off the network thread: they follow the SUBACK shortly
        PluginFaultsTest.awaitTrue(() -> subConn.published.size() == 1);
        assertEquals(1, subConn.published.size());
        assertEquals("two", text(subConn.last()));
        assertTrue(subConn.last().retain());
        assertEquals("the retained message's own QoS (0) caps it", 0, subConn.last().qos());
        pub.publish(publish("r/a", "", 0, 0, true), r -> { });
        assertFalse("live delivery carries no retain flag", subConn.last().retain());
        assertEquals(0L, core.parts().retained.size());
    }

    @Test
    public void servicesShowRetainedMessagesAndSubscriptions() {
        ClientSession pub = session("pub", true, new RecordingConnection());
        pub.publish(publish("status/a", "up", 1, 1, true), r -> { });
        pub.publish(publish("status/b", "down", 1, 2, true), r -> { });
        assertEquals(2, core.services().retained("status/#", 10).size());
        assertEquals(1, core.services().retained("status/#", 1).size());
        assertEquals("up", new String(core.services().retained("status/a", 10).get(0).payload(), StandardCharsets.UTF_8));
        ClientSession sub = session("sub", true, new RecordingConnection());
        subscribe(sub, "status/+", 1);
        assertEquals(Map.of("status/+", 1), core.services().subscriptions("sub"));
        assertTrue(core.services().connectedClients().stream().anyMatch(c -> c.clientId().equals("sub")));
    }

    @Test
    public void emptyClientIdNeedsCleanSession() {
        ConnectResult refused = connect("", false, new RecordingConnection(), null);
        assertEquals(ConnectReturnCode.IDENTIFIER_REJECTED, refused.code());
        assertNull(refused.session());
        ConnectResult assigned = connect("", true, new RecordingConnection(), null);
        assertTrue(assigned.accepted());
        assertTrue(assigned.clientId().startsWith("meridian-"));
    }
}
