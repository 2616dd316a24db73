package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.DropReason;
import io.meridianmq.broker.HistogramSnapshot;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.PluginCalls;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;

import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The core's statistics count what the core does: traffic by QoS, drops by reason, sessions, plugin calls. */
public class BrokerStatisticsTest {

    private BrokerCore core;
    private BrokerStatistics stats;

    @Before
    public void startCore() {
        core = SessionFlowTest.startedCore(Map.of("max_inflight_messages", "2", "max_queued_messages", "3"));
        stats = core.statistics();
    }

    @After
    public void stopCore() {
        core.deactivate();
    }

    private ClientSession session(String clientId, boolean clean, SessionFlowTest.RecordingConnection connection) {
        ConnectRequest request = new ConnectRequest(clientId, clean, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "test", 4, clean ? 0 : ConnectRequest.NEVER_EXPIRES, 65535);
        ConnectResult result = core.connect(request, connection).toCompletableFuture().join();
        assertTrue(result.accepted());
        result.session().open();
        return result.session();
    }

    private static InboundPublish publish(String topic, String payload, int qos, int packetId) {
        return new InboundPublish(packetId, topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
    }

    private static void subscribe(ClientSession s, String filter, int qos) {
        s.subscribe(List.of(new TopicSubscription(filter, qos)), g -> { });
    }

    @Test
    public void trafficIsCountedByQosWithItsPayloadBytes() {
        SessionFlowTest.RecordingConnection subConn = new SessionFlowTest.RecordingConnection();
        ClientSession sub = session("sub", true, subConn);
        subscribe(sub, "t/+", 1);
        subscribe(sub, "$share/g/s", 0);
        ClientSession pub = session("pub", true, new SessionFlowTest.RecordingConnection());
        pub.publish(publish("t/a", "12345", 0, 0), r -> { });
        pub.publish(publish("t/b", "123", 1, 1), r -> { });
        pub.publish(publish("t/c", "1", 2, 2), r -> { });

        assertEquals(1, stats.messagesReceived(0));
        assertEquals(5, stats.bytesReceived(0));
        assertEquals(1, stats.messagesReceived(1));
        assertEquals(3, stats.bytesReceived(1));
        assertEquals(1, stats.messagesReceived(2));
        assertEquals("QoS 0 out at QoS 0", 1, stats.messagesSent(0));
        assertEquals("QoS 1 and QoS 2 out at the subscription's QoS 1", 2, stats.messagesSent(1));
        assertEquals(4, stats.bytesSent(1));
        assertEquals(0, stats.messagesSent(2));
        assertEquals(2, stats.sessionsOnline());
        assertEquals(0, stats.sessionsOffline());
        assertEquals(2, stats.subscriptions());
        assertEquals(1, stats.sharedSubscriptions());
        assertEquals("max_inflight_messages = 2, nothing acknowledged", 2, stats.inflightMessages());
    }

    @Test
    public void aFullQueueCountsItsDropsAndTheQueuedMessages() {
        ClientSession sub = session("sub", false, new SessionFlowTest.RecordingConnection());
        subscribe(sub, "t", 1);
        sub.disconnected(false);
        ClientSession pub = session("pub", true, new SessionFlowTest.RecordingConnection());
        for (int i = 1; i <= 5; i++) {
            pub.publish(publish("t", "m" + i, 1, i), r -> { });
        }
        assertEquals("max_queued_messages = 3", 2, stats.dropped(DropReason.QUEUE_FULL));
        assertEquals(3, stats.queuedMessages());
        assertEquals(1, stats.sessionsOffline());
        assertEquals(1, stats.sessionsOnline());
    }

    @Test
    public void pluginCallsAndDenialsAreCountedPerPluginAndAction() {
        Authorizer deniesPublish = new Authorizer() {
            @Override
            public void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output) {
                if (input.topic().equals("boom")) {
                    throw new IllegalStateException("boom");
                }
                output.deny("no publishing here");
            }

            @Override
            public void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output) {
                output.allow();
            }
        };
        core.plugins.authorizers.add(deniesPublish, "denies-publish", 0);
        ClientSession pub = session("pub", true, new SessionFlowTest.RecordingConnection());
        subscribe(pub, "x", 0);
        pub.publish(publish("t", "m", 0, 0), r -> { });
        pub.publish(publish("boom", "m", 0, 0), r -> { });

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> stats.dropped(DropReason.NOT_AUTHORIZED) == 2);
        assertEquals(Long.valueOf(2), stats.authorizationDenials().get("publish"));
        assertEquals(Long.valueOf(0), stats.authorizationDenials().get("subscribe"));
        PluginCalls calls = stats.pluginCalls().stream().filter(c -> c.name().equals("denies-publish")).findFirst()
                .orElseThrow();
        assertEquals(1, calls.failures());
        assertEquals(0, calls.timeouts());
        HistogramSnapshot latency = calls.latency();
        assertEquals("three calls (one subscribe, two publishes) timed", 3, latency.count());
        assertEquals(latency.upperBoundsSeconds().length + 1, latency.bucketCounts().length);
        assertTrue(latency.sumSeconds() > 0);
    }
}
