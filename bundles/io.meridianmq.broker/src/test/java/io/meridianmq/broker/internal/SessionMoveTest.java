package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A session moving in from another node of a cluster: its state comes first, then what reached
 * it on the old node meanwhile (the rest), and only then what reached it here directly, so that a
 * publisher's messages keep their order; a message that came both ways is taken once.
 */
public class SessionMoveTest {

    private BrokerCore broker;
    private CoreParts core;

    @Before
    public void start() {
        broker = SessionFlowTest.startedCore(Map.of());
        core = broker.parts();
    }

    @After
    public void stop() {
        broker.deactivate();
    }

    private static StoredMessage stored(String payload) {
        return new StoredMessage("t/x", payload.getBytes(StandardCharsets.UTF_8), 1, false, StoredProperties.NONE,
                Long.MAX_VALUE, "publisher", new int[0], 0, false);
    }

    private static HandedSession handed(String clientId, Map<String, String> idsByPayload, String... payloads) {
        TreeMap<Long, StoredMessage> messages = new TreeMap<>();
        Map<Long, String> ids = new java.util.HashMap<>();
        for (String p : payloads) {
            long key = messages.size() + 1L;
            messages.put(key, stored(p));
            if (idsByPayload.containsKey(p)) {
                ids.put(key, idsByPayload.get(p));
            }
        }
        return new HandedSession(new RecoveredSession(clientId, ConnectRequest.NEVER_EXPIRES, 0,
                List.of(new StoredSubscription("t/#", null, 1, false, false, 0)), messages, Set.of(), null, null),
                ids);
    }

    @Test
    public void theOldNodesRestGoesBeforeWhatCameDirectlyAndNothingTwice() throws Exception {
        core.registry.adopt(handed("mover", Map.of(), "state-1", "state-2").session()).toCompletableFuture().join();
        // the new node's routes are known: a publisher's next messages come here directly; the
        // first of them also reached the old node before its routes changed
        deliverHere("rest-3", "node:3");
        deliverHere("direct-4", "node:4");
        Session session = core.registry.find("mover");
        session.submit(() -> session.moves().append(handed("mover", Map.of("rest-3", "node:3", "rest-2b", "node:2"),
                "rest-2b", "rest-3")));

        SessionFlowTest.RecordingConnection connection = new SessionFlowTest.RecordingConnection();
        ConnectRequest resume = new ConnectRequest("mover", false, 60, null, null, null,
                new java.net.InetSocketAddress("127.0.0.1", 40000), "test", 4, ConnectRequest.NEVER_EXPIRES, 65535);
        broker.connect(resume, connection).toCompletableFuture().join().session().open();
        List<String> got = new ArrayList<>();
        for (OutboundPublish p : connection.published) {
            got.add(new String(p.payload(), StandardCharsets.UTF_8));
        }
        assertEquals(List.of("state-1", "state-2", "rest-2b", "rest-3", "direct-4"), got);
    }

    /** A message another node forwarded, with its cluster id, routed here. */
    private void deliverHere(String payload, String clusterId) {
        Message m = new Message("t/x", payload.getBytes(StandardCharsets.UTF_8), 1, false,
                io.meridianmq.sdk.message.PublishProperties.NONE, Long.MAX_VALUE, "publisher");
        core.router.routeForwarded(m, clusterId, true, Set.of()).toCompletableFuture().join();
    }
}
