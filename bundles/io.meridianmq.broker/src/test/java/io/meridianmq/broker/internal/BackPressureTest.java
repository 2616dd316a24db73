package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A subscriber that falls behind holds its QoS 1 publishers back: their PUBACKs wait (in order)
 * until its queue is short again, so no queue grows without bound and nothing is dropped.
 */
public class BackPressureTest {

    private BrokerCore core;

    @Before
    public void startCore() {
        core = SessionFlowTest.startedCore(Map.of("max_inflight_messages", "20", "max_queued_messages", "100000"));
    }

    @After
    public void stopCore() {
        core.deactivate();
    }

    private ClientSession connect(String id, SessionFlowTest.RecordingConnection connection) {
        ConnectResult r = core.connect(new ConnectRequest(id, true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "test", 4, 0, 65535), connection).toCompletableFuture()
                .join();
        assertTrue(r.accepted());
        r.session().open();
        return r.session();
    }

    @Test
    public void aSlowSubscriberHoldsBackPubacksUntilItCatchesUp() {
        SessionFlowTest.RecordingConnection slowConnection = new SessionFlowTest.RecordingConnection();
        ClientSession slow = connect("slow", slowConnection);
        slow.subscribe(List.of(new TopicSubscription("t", 1)), g -> { });
        ClientSession fast = connect("fast", new SessionFlowTest.RecordingConnection());

        int total = Congestion.QUEUE_HIGH + 500;
        List<Integer> acks = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            int packetId = i % 65535 + 1;
            fast.publish(new InboundPublish(packetId, "t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false),
                    reason -> acks.add(reason));
        }
        int heldBack = total - acks.size();
        assertTrue("PUBACKs are held back once the queue is long: " + acks.size() + " of " + total,
                heldBack > 400 && acks.size() >= Congestion.QUEUE_HIGH);

        // the subscriber catches up: every message arrives, none dropped, and the PUBACKs follow
        int acknowledged = 0;
        while (acknowledged < slowConnection.published.size()) {
            OutboundPublish p = slowConnection.published.get(acknowledged++);
            slow.acknowledge(p.packetId());
        }
        assertEquals("every message reached the subscriber", total, slowConnection.published.size());
        assertEquals("every PUBACK was sent once the subscriber caught up", total, acks.size());
        assertTrue("all successful", acks.stream().allMatch(r -> r == 0));
    }
}
