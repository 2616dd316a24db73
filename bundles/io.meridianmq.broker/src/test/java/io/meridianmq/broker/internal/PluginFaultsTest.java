package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.interceptor.PublishInboundInterceptor;
import io.meridianmq.sdk.message.UserProperty;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Plugins that throw, hang or change messages: fallbacks, disabling, and the changes applied. */
public class PluginFaultsTest {

    private BrokerCore core;

    @Before
    public void startCore() {
        core = SessionFlowTest.startedCore(Map.of(), Duration.ofMillis(300));
    }

    @After
    public void stopCore() {
        core.deactivate();
    }

    private ConnectResult connect(String id) {
        return core.connect(new ConnectRequest(id, true, 60, null, null, null, new InetSocketAddress("127.0.0.1", 1),
                "test", 5, 0, 65535), new SessionFlowTest.RecordingConnection()).toCompletableFuture().join();
    }

    @Test
    public void anAsynchronousPluginThatResumesLeavesNoTimerBehind() {
        java.util.concurrent.atomic.AtomicReference<CoreThreads> threads = new java.util.concurrent.atomic.AtomicReference<>();
        BrokerCore timed = SessionFlowTest.startedCore(Map.of(), Duration.ofMillis(300), threads);
        try {
            java.util.concurrent.ScheduledThreadPoolExecutor timers =
                    (java.util.concurrent.ScheduledThreadPoolExecutor) threads.get().timers();
            java.util.function.LongSupplier longTimers = () -> timers.getQueue().stream()
                    .filter(t -> ((java.util.concurrent.Delayed) t).getDelay(java.util.concurrent.TimeUnit.SECONDS) > 20)
                    .count();
            long before = longTimers.getAsLong();
            // allows each client from another thread, well within its 30 s async timeout
            Authenticator resumesAtOnce = (input, output) -> {
                io.meridianmq.sdk.async.Async later = output.async(Duration.ofSeconds(30), TimeoutFallback.FAILURE);
                java.util.concurrent.CompletableFuture.runAsync(() -> {
                    output.allow();
                    later.resume();
                });
            };
            timed.plugins.authenticators.add(resumesAtOnce, "resumes-at-once", 100);
            for (int i = 0; i < 200; i++) {
                ConnectResult r = timed.connect(new ConnectRequest("t" + i, true, 60, null, null, null,
                        new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535),
                        new SessionFlowTest.RecordingConnection()).toCompletableFuture().join();
                assertEquals(ConnectReturnCode.ACCEPTED, r.code());
            }
            // each resumed call's timeout left the timer queue with it (a storm of logins would
            // otherwise leave one task per CONNECT for the whole timeout)
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> longTimers.getAsLong() == before);
        } finally {
            timed.deactivate();
        }
    }

    @Test
    public void anAuthenticatorThatThrowsRefusesTheClientAndIsDisabledAfterRepeatedFailures() {
        AtomicInteger calls = new AtomicInteger();
        Authenticator broken = (input, output) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        };
        core.plugins.authenticators.add(broken, "broken", 100);
        for (int i = 0; i < Plugin.DISABLE_AFTER; i++) {
            assertEquals(ConnectReturnCode.NOT_AUTHORIZED, connect("c" + i).code());
        }
        assertFalse(core.plugins.authenticators.all().get(0).isEnabled());
        // fail closed (issue 16, point 5): skipping it would let in whom it would have refused
        assertEquals("a disabled authenticator refuses", ConnectReturnCode.NOT_AUTHORIZED, connect("after").code());
        assertEquals(Plugin.DISABLE_AFTER, calls.get());
    }

    private static io.meridianmq.sdk.client.ClientInfo client(String id) {
        return new ClientIdentity(id, new InetSocketAddress("127.0.0.1", 1), "test", 5, java.util.Optional.empty(),
                java.util.Set.of(), null, null);
    }

    private PluginOutputs.Verdict publishVerdict(String clientId) {
        return core.plugins.authorizePublish(client(clientId), "t", 1, false).toCompletableFuture().join().verdict;
    }

    @Test
    public void aDisabledAuthorizerDeniesInsteadOfAllowing() {
        io.meridianmq.sdk.auth.Authorizer broken = new io.meridianmq.sdk.auth.Authorizer() {
            @Override
            public void authorizePublish(io.meridianmq.sdk.auth.PublishAuthorizationInput input,
                    io.meridianmq.sdk.auth.AuthorizationOutput output) {
                throw new IllegalStateException("boom");
            }
            @Override
            public void authorizeSubscribe(io.meridianmq.sdk.auth.SubscribeAuthorizationInput input,
                    io.meridianmq.sdk.auth.AuthorizationOutput output) {
                output.next();
            }
        };
        core.plugins.authorizers.add(broken, "broken-authorizer", 0);
        for (int i = 0; i < Plugin.DISABLE_AFTER; i++) {
            assertEquals(PluginOutputs.Verdict.DENY, publishVerdict("c" + i));
        }
        assertFalse(core.plugins.authorizers.all().get(0).isEnabled());
        assertEquals("disabled, it still denies", PluginOutputs.Verdict.DENY, publishVerdict("after"));
        assertEquals(Long.valueOf(1), core.metrics().get("broker.plugins.failed_closed"));
    }

    @Test
    public void anAuthorizerThatAsksForTheSuccessFallbackStillDeniesWhenItTimesOut() {
        io.meridianmq.sdk.auth.Authorizer hangs = new io.meridianmq.sdk.auth.Authorizer() {
            @Override
            public void authorizePublish(io.meridianmq.sdk.auth.PublishAuthorizationInput input,
                    io.meridianmq.sdk.auth.AuthorizationOutput output) {
                output.async(Duration.ofMillis(50), TimeoutFallback.SUCCESS); // never resumes
            }
            @Override
            public void authorizeSubscribe(io.meridianmq.sdk.auth.SubscribeAuthorizationInput input,
                    io.meridianmq.sdk.auth.AuthorizationOutput output) {
                output.next();
            }
        };
        core.plugins.authorizers.add(hangs, "hangs", 0);
        assertEquals(PluginOutputs.Verdict.DENY, publishVerdict("c"));
    }

    @Test
    public void aPluginsTimeoutStartsWhenItStartsNotWhileItsCallWaitsInTheQueue() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Authenticator blocking = (input, output) -> {
            if (input.client().clientId().startsWith("block")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        core.plugins.authenticators.add(blocking, "blocking", 100);
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors() * 2);
        List<java.util.concurrent.CompletableFuture<ConnectResult>> blockers = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            blockers.add(core.connect(new ConnectRequest("block" + i, true, 60, null, null, null,
                    new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535),
                    new SessionFlowTest.RecordingConnection()).toCompletableFuture());
        }
        // every plugin thread is taken: this call waits in the queue ...
        java.util.concurrent.CompletableFuture<ConnectResult> queued = core.connect(new ConnectRequest("queued", true,
                60, null, null, null, new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535),
                new SessionFlowTest.RecordingConnection()).toCompletableFuture();
        for (java.util.concurrent.CompletableFuture<ConnectResult> b : blockers) {
            assertEquals(ConnectReturnCode.NOT_AUTHORIZED, b.get(10, java.util.concurrent.TimeUnit.SECONDS).code());
        }
        // ... for longer than a call may take: it must not be given up while it waits
        try {
            queued.get(600, java.util.concurrent.TimeUnit.MILLISECONDS);
            throw new AssertionError("the call timed out while it waited in the queue: " + queued.get());
        } catch (java.util.concurrent.TimeoutException stillWaiting) {
            // as it should: its time has not started
        }
        release.countDown();
        assertTrue("the queued call ran in its own time: " + queued.get(10, java.util.concurrent.TimeUnit.SECONDS),
                queued.get().accepted());
    }

    @Test
    public void anInterceptorChangesTopicPayloadAndUserProperties() throws Exception {
        PublishInboundInterceptor rewrite = (input, output) -> {
            output.publish().setTopic("rewritten/" + output.publish().topic());
            output.publish().setPayload((new String(output.publish().payload(), StandardCharsets.UTF_8) + "!")
                    .getBytes(StandardCharsets.UTF_8));
            output.publish().userProperties().add(new UserProperty("by", input.client().clientId()));
        };
        core.plugins.inboundInterceptors.add(rewrite, "rewrite", 0);
        SessionFlowTest.RecordingConnection subConn = new SessionFlowTest.RecordingConnection();
        ConnectResult sub = core.connect(new ConnectRequest("sub", true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535), subConn).toCompletableFuture().join();
        sub.session().open();
        sub.session().subscribe(List.of(new TopicSubscription("rewritten/#", 1)), g -> { });
        ClientSession pub = connect("pub").session();
        pub.open();
        int[] reason = {-1};
        pub.publish(new InboundPublish(1, "a", "hi".getBytes(StandardCharsets.UTF_8), 1, false), r -> reason[0] = r);
        awaitTrue(() -> reason[0] >= 0);
        awaitTrue(() -> !subConn.published.isEmpty());
        assertEquals("rewritten/a", subConn.last().topic());
        assertEquals("hi!", new String(subConn.last().payload(), StandardCharsets.UTF_8));
        assertEquals(List.of(new UserProperty("by", "pub")), subConn.last().properties().userProperties());
    }

    @Test
    public void aPluginThatBlocksGetsItsFallbackAndDoesNotHoldUpOthers() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Authenticator slow = (input, output) -> {
            if (input.client().clientId().equals("slow")) {
                try {
                    release.await(); // blocks its plugin thread far beyond the call timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        core.plugins.authenticators.add(slow, "slow", 100);
        java.util.concurrent.CompletableFuture<ConnectResult> blocked = core.connect(new ConnectRequest("slow", true, 60,
                null, null, null, new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535),
                new SessionFlowTest.RecordingConnection()).toCompletableFuture();
        assertTrue("another client is not held up", connect("quick").accepted());
        assertEquals("the blocked call got the FAILURE fallback", ConnectReturnCode.NOT_AUTHORIZED,
                blocked.get(10, java.util.concurrent.TimeUnit.SECONDS).code());
        release.countDown();
    }

    @Test
    public void anInterceptorThatNeverResumesGetsItsFallback() throws Exception {
        PublishInboundInterceptor hangs = (input, output) -> output.async(Duration.ofMillis(100), TimeoutFallback.FAILURE);
        core.plugins.inboundInterceptors.add(hangs, "hangs", 0);
        ClientSession pub = connect("pub").session();
        pub.open();
        int[] reason = {-1};
        pub.publish(new InboundPublish(1, "a", new byte[0], 1, false), r -> reason[0] = r);
        awaitTrue(() -> reason[0] >= 0);
        assertEquals("dropped by the FAILURE fallback", ClientSessionHandle.IMPLEMENTATION_SPECIFIC_ERROR, reason[0]);
    }

    @Test
    public void outboundInterceptorsChangeOrWithholdEachSubscribersCopy() throws Exception {
        io.meridianmq.sdk.interceptor.PublishOutboundInterceptor perSubscriber = (input, output) -> {
            if (input.subscriber().clientId().equals("blocked")) {
                output.drop("not for you");
            } else {
                output.publish().setPayload(("for " + input.subscriber().clientId()).getBytes(StandardCharsets.UTF_8));
            }
        };
        core.plugins.outboundInterceptors.add(perSubscriber, "per-subscriber", 0);
        java.util.List<String> drops = new java.util.concurrent.CopyOnWriteArrayList<>();
        core.events.listeners.add(new io.meridianmq.sdk.event.BrokerEventListener() {
            @Override
            public void messageDropped(io.meridianmq.sdk.client.ClientInfo client, String topic, String why) {
                drops.add(client.clientId() + ": " + why);
            }
        }, "drops", 0);
        SessionFlowTest.RecordingConnection alice = subscriber("alice", "t");
        SessionFlowTest.RecordingConnection blocked = subscriber("blocked", "t");
        ClientSession pub = connect("pub").session();
        pub.open();
        pub.publish(new InboundPublish(1, "t", "x".getBytes(StandardCharsets.UTF_8), 1, false), r -> { });
        awaitTrue(() -> !alice.published.isEmpty());
        assertEquals("for alice", new String(alice.last().payload(), StandardCharsets.UTF_8));
        awaitTrue(() -> drops.contains("blocked: dropped by a plugin: not for you"));
        assertTrue(blocked.published.isEmpty());
    }

    @Test
    public void subscribeInterceptorsRewriteOrRefuseEntries() throws Exception {
        io.meridianmq.sdk.interceptor.SubscribeInterceptor rules = (input, output) -> {
            if (output.topicFilter().equals("#")) {
                output.refuse("no catch-all subscriptions");
            } else {
                output.setTopicFilter("tenant/" + output.topicFilter());
                output.setQos(Math.min(output.qos(), 1));
            }
        };
        core.plugins.subscribeInterceptors.add(rules, "rules", 0);
        ClientSession c = connect("c").session();
        c.open();
        int[][] granted = new int[1][];
        c.subscribe(List.of(new TopicSubscription("#", 1), new TopicSubscription("a", 2)), g -> granted[0] = g);
        awaitTrue(() -> granted[0] != null);
        assertEquals(ClientSessionHandle.NOT_AUTHORIZED, granted[0][0]);
        assertEquals(1, granted[0][1]);
        assertEquals(Map.of("tenant/a", 1), core.services().subscriptions("c"));
    }

    @Test
    public void connectInterceptorsRefuseOrShortenSessions() {
        io.meridianmq.sdk.interceptor.ConnectInterceptor policy = (input, output) -> {
            if (input.client().clientId().startsWith("banned")) {
                output.refuse("banned device");
            } else {
                output.setSessionExpiry(Math.min(output.sessionExpiry(), 60));
            }
        };
        core.plugins.connectInterceptors.add(policy, "policy", 0);
        assertEquals(ConnectReturnCode.NOT_AUTHORIZED, connect("banned-1").code());
        ConnectResult ok = core.connect(new ConnectRequest("fine", false, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 1), "test", 5, ConnectRequest.NEVER_EXPIRES, 65535),
                new SessionFlowTest.RecordingConnection()).toCompletableFuture().join();
        assertTrue(ok.accepted());
    }

    @Test
    public void disconnectInterceptorsCanSuppressWills() throws Exception {
        core.plugins.disconnectInterceptors.add((input, output) -> output.suppressWill(), "quiet", 0);
        SessionFlowTest.RecordingConnection watcher = subscriber("watcher", "wills/#");
        io.meridianmq.broker.WillMessage will = new io.meridianmq.broker.WillMessage("wills/x",
                "bye".getBytes(StandardCharsets.UTF_8), 1, false);
        ConnectResult dying = core.connect(new ConnectRequest("dying", true, 60, null, null, will,
                new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535), new SessionFlowTest.RecordingConnection())
                .toCompletableFuture().join();
        dying.session().open();
        java.util.List<String> suppressed = new java.util.concurrent.CopyOnWriteArrayList<>();
        dying.session().disconnected(true);
        // then a marker published afterwards arrives first and alone
        ClientSession pub = connect("pub").session();
        pub.open();
        pub.publish(new InboundPublish(1, "wills/marker", "m".getBytes(StandardCharsets.UTF_8), 1, false),
                r -> suppressed.add("marker"));
        awaitTrue(() -> !watcher.published.isEmpty());
        assertEquals("wills/marker", watcher.published.get(0).topic());
    }

    @Test
    public void pluginMetricsAreNamedByBundleAndShownWithTheBrokers() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.counter("io.example.plugin.transformed").add(3);
        registry.gauge("broker.sessions", () -> 7);
        assertEquals(Long.valueOf(3), registry.snapshot().get("io.example.plugin.transformed"));
        assertEquals(Long.valueOf(7), registry.snapshot().get("broker.sessions"));
    }

    private SessionFlowTest.RecordingConnection subscriber(String id, String filter) throws Exception {
        SessionFlowTest.RecordingConnection conn = new SessionFlowTest.RecordingConnection();
        ConnectResult r = core.connect(new ConnectRequest(id, true, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535), conn).toCompletableFuture().join();
        r.session().open();
        boolean[] done = {false};
        r.session().subscribe(List.of(new TopicSubscription(filter, 1)), g -> done[0] = true);
        awaitTrue(() -> done[0]);
        return conn;
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
