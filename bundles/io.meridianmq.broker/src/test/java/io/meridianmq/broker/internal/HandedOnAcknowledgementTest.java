package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;

import org.awaitility.Awaitility;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * An interceptor that hands messages on elsewhere (PublishInboundOutput.acknowledgeAfter): the
 * message is routed at once and the publisher's next messages are not held up, but each PUBACK
 * waits for its own hand-over, in order, and a failed hand-over answers 0x80, never success.
 */
public class HandedOnAcknowledgementTest {

    private BrokerCore core;
    private final List<CompletableFuture<Void>> handedOn = new CopyOnWriteArrayList<>();

    @Before
    public void start() {
        core = SessionFlowTest.startedCore(Map.of());
        PublishInboundInterceptor handsOn = (input, output) -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            handedOn.add(f);
            output.acknowledgeAfter(f);
        };
        core.plugins.inboundInterceptors.add(handsOn, "hands-on", 0);
    }

    @After
    public void stop() {
        core.deactivate();
    }

    private ClientSession client(String id, SessionFlowTest.RecordingConnection connection) {
        ConnectRequest request = new ConnectRequest(id, true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "test", 5, 0, 65535);
        ConnectResult result = core.connect(request, connection).toCompletableFuture().join();
        assertTrue(result.accepted());
        result.session().open();
        return result.session();
    }

    @Test
    public void routedAtOnceAcknowledgedInOrderOnceHandedOn() {
        SessionFlowTest.RecordingConnection subscriberConnection = new SessionFlowTest.RecordingConnection();
        ClientSession subscriber = client("sub", subscriberConnection);
        subscriber.subscribe(List.of(new TopicSubscription("t", 1)), granted -> { });
        ClientSession publisher = client("pub", new SessionFlowTest.RecordingConnection());
        List<Integer> answers = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 3; i++) {
            publisher.publish(new InboundPublish(i, "t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false),
                    answers::add);
        }
        // all three routed and handed on, none acknowledged yet
        Awaitility.await().until(() -> handedOn.size() == 3 && subscriberConnection.published.size() == 3);
        assertEquals(List.of(), answers);
        handedOn.get(1).complete(null); // the second is safe first: its PUBACK waits for the first's
        assertEquals(List.of(), answers);
        handedOn.get(0).complete(null);
        Awaitility.await().until(() -> answers.size() == 2);
        assertEquals(List.of(0, 0), answers);
        handedOn.get(2).completeExceptionally(new IllegalStateException("Kafka is away"));
        Awaitility.await().until(() -> answers.size() == 3);
        assertEquals(ClientSessionHandle.UNSPECIFIED_ERROR, (int) answers.get(2));
    }
}
