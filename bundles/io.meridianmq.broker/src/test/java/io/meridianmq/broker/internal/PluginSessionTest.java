package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;

import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;
import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.service.PluginSession;
import io.meridianmq.sdk.service.PluginSessionReceiver;
import io.meridianmq.sdk.service.ReceivedMessage;

import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * A plugin's session (SDK PluginSession): it subscribes, gets what matches in order, keeps what
 * it did not acknowledge and what came while it was closed, publishes without its own messages
 * coming back (no-local), and is trusted by authorizers that deny every client.
 */
public class PluginSessionTest {

    private BrokerCore core;
    private final List<ReceivedMessage> got = new CopyOnWriteArrayList<>();
    private final PluginSessionReceiver receiver = got::add;

    @Before
    public void start() {
        core = SessionFlowTest.startedCore(Map.of());
    }

    @After
    public void stop() {
        core.deactivate();
    }

    private PluginSession open() throws Exception {
        return core.services().openSession("bridge-local", 3600, 10, 0, receiver).toCompletableFuture().get();
    }

    private ClientSession client(String id, SessionFlowTest.RecordingConnection connection) {
        ConnectRequest request = new ConnectRequest(id, true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "test", 5, 0, 65535);
        ConnectResult result = core.connect(request, connection).toCompletableFuture().join();
        assertTrue(result.accepted());
        result.session().open();
        return result.session();
    }

    private static InboundPublish publish(String topic, String payload, int packetId) {
        return new InboundPublish(packetId, topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    private List<String> texts() {
        return got.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    public void keepsWhatItDidNotAcknowledgeAndWhatCameWhileClosedInOrder() throws Exception {
        PluginSession session = open();
        assertFalse(session.resumed());
        assertEquals(Integer.valueOf(1), session.subscribe("out/#", 1, true, true).toCompletableFuture().get());
        ClientSession device = client("device", new SessionFlowTest.RecordingConnection());
        device.publish(publish("out/a", "m1", 1), code -> { });
        Awaitility.await().until(() -> got.size() == 1);
        assertEquals(1, got.get(0).qos());
        session.close(); // m1 not acknowledged

        device.publish(publish("out/a", "m2", 2), code -> { });
        got.clear();
        PluginSession again = open();
        assertTrue(again.resumed());
        Awaitility.await().until(() -> got.size() == 2);
        assertEquals(List.of("m1", "m2"), texts());
        assertTrue("m1 comes again", got.get(0).duplicate());
        got.forEach(ReceivedMessage::acknowledge);
        again.close();

        got.clear();
        PluginSession third = open();
        device.publish(publish("out/a", "m3", 3), code -> { });
        Awaitility.await().until(() -> got.size() == 1);
        assertEquals(List.of("m3"), texts()); // m1 and m2 were acknowledged
        third.close();
    }

    @Test
    public void itsOwnPublishesDoNotComeBackAndOthersGetThem() throws Exception {
        PluginSession session = open();
        session.subscribe("in/#", 1, true, false).toCompletableFuture().get();
        SessionFlowTest.RecordingConnection watcherConnection = new SessionFlowTest.RecordingConnection();
        ClientSession watcher = client("watcher", watcherConnection);
        watcher.subscribe(List.of(new TopicSubscription("in/#", 2)), granted -> { });
        session.publish("in/x", "from the remote".getBytes(StandardCharsets.UTF_8), 2, false,
                PublishProperties.NONE).toCompletableFuture().get();
        Awaitility.await().until(() -> watcherConnection.published.size() == 1);
        assertEquals("from the remote", new String(watcherConnection.published.get(0).payload(),
                StandardCharsets.UTF_8));
        assertEquals(List.of(), got);
        session.close();
    }

    @Test
    public void isTrustedWhereClientsAreDenied() throws Exception {
        core.plugins.authorizers.add(new Authorizer() {
            @Override
            public void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output) {
                output.deny("nobody publishes");
            }

            @Override
            public void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output) {
                output.deny("nobody subscribes");
            }
        }, "denies-all", 0);
        PluginSession session = open();
        assertEquals(Integer.valueOf(1), session.subscribe("t", 1, false, false).toCompletableFuture().get());
        session.publish("t", "mine".getBytes(StandardCharsets.UTF_8), 1, false, PublishProperties.NONE)
                .toCompletableFuture().get();
        Awaitility.await().until(() -> got.size() == 1);
        assertEquals(List.of("mine"), texts());
        session.close();
    }

    @Test
    public void aBoundOfItsOwnKeepsMoreThanTheBrokersQueueLimitInOrder() throws Exception {
        core.deactivate();
        core = SessionFlowTest.startedCore(Map.of("max_queued_messages", "3"));
        PluginSession session = core.services().openSession("bridge-out", 3600, 1, 50, receiver).toCompletableFuture()
                .get();
        session.subscribe("out/#", 1, true, true).toCompletableFuture().get();
        ClientSession device = client("device", new SessionFlowTest.RecordingConnection());
        for (int i = 1; i <= 20; i++) {
            device.publish(publish("out/a", "m" + i, i), code -> { });
        }
        // one given at a time (receive maximum 1): the plugin acknowledges each as its remote would
        for (int i = 1; i <= 20; i++) {
            int n = i;
            Awaitility.await().until(() -> got.size() == n);
            got.get(n - 1).acknowledge();
        }
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add("m" + i);
        }
        assertEquals(expected, texts());
        session.close();
    }

    @Test
    public void badArgumentsAreRefusedWithAReason() {
        ExecutionException e = org.junit.Assert.assertThrows(ExecutionException.class,
                () -> core.services().openSession("", 0, 10, 0, receiver).toCompletableFuture().get());
        assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("client id"));
    }
}
