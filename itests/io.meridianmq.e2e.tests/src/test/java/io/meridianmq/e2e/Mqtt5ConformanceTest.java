package io.meridianmq.e2e;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;

/**
 * MQTT 5.0 behaviour of the real distribution, driven by Eclipse Paho's MQTT 5 client. Test
 * names start with the OASIS MQTT 5.0 section they cover (s3_1 = 3.1 CONNECT, s3_3 = 3.3
 * PUBLISH, s4_8 = 4.8 shared subscriptions, ...), so a reader sees what is covered.
 */
public class Mqtt5ConformanceTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    @Rule
    public final TestName name = new TestName();

    private final List<V5Client> clients = new ArrayList<>();

    @After
    public void closeClients() {
        clients.forEach(V5Client::close);
    }

    private String id(String suffix) {
        return name.getMethodName().replaceAll("[^A-Za-z0-9]", "").substring(0, Math.min(40,
                name.getMethodName().replaceAll("[^A-Za-z0-9]", "").length())) + "-" + suffix;
    }

    private String topic(String suffix) {
        return "v5/" + name.getMethodName() + "/" + suffix;
    }

    private V5Client client(String suffix) throws Exception {
        V5Client c = new V5Client(BROKER.uri(), id(suffix));
        clients.add(c);
        return c;
    }

    private V5Client connected(String suffix) throws Exception {
        V5Client c = client(suffix);
        c.connect();
        return c;
    }

    private static MqttConnectionOptions persistent(long expirySeconds) {
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(expirySeconds);
        return o;
    }

    // ---- 3.1 / 3.2 CONNECT and CONNACK ----

    @Test
    public void s3_2_connackAnnouncesWhatTheBrokerSupports() throws Exception {
        V5Client c = client("caps");
        MqttConnectionOptions o = V5Client.options();
        o.setRequestResponseInfo(true);
        MqttProperties p = c.connect(o).getResponseProperties();
        assertEquals(Integer.valueOf(100), p.getReceiveMaximum());
        assertEquals(Long.valueOf(16_777_216), p.getMaximumPacketSize());
        assertEquals(Integer.valueOf(10), p.getTopicAliasMaximum());
        assertTrue(p.isWildcardSubscriptionsAvailable());
        assertTrue(p.isSubscriptionIdentifiersAvailable());
        assertTrue(p.isSharedSubscriptionAvailable());
        assertTrue(p.isRetainAvailable() == null || p.isRetainAvailable());
        assertTrue("maximum QoS 2 is announced by leaving it out", p.getMaximumQoS() == null || p.getMaximumQoS() == 2);
        assertEquals("responses/" + id("caps"), p.getResponseInfo());
    }

    @Test
    public void s3_2_emptyClientIdIsAssignedAndAnnounced() throws Exception {
        V5Client c = new V5Client(BROKER.uri(), "");
        clients.add(c);
        MqttProperties p = c.connect().getResponseProperties();
        assertNotNull(p.getAssignedClientIdentifier());
        assertTrue(p.getAssignedClientIdentifier().startsWith("meridian-"));
    }

    @Test
    public void s3_1_2_sessionExpiryKeepsTheSessionAndItsQueue() throws Exception {
        V5Client sub = client("sub");
        IMqttToken first = sub.connect(persistent(60));
        assertFalse(first.getSessionPresent());
        sub.subscribe(V5Client.sub(topic("q"), 1));
        sub.disconnect();
        connected("pub").publish(topic("q"), "kept for you", 1, false);
        IMqttToken again = sub.connect(persistent(60));
        assertTrue("session present", again.getSessionPresent());
        assertEquals("kept for you", sub.next().text());
    }

    @Test
    public void s3_1_2_sessionExpiryZeroEndsTheSessionAtDisconnect() throws Exception {
        V5Client c = client("c");
        c.connect(persistent(0));
        c.subscribe(V5Client.sub(topic("q"), 1));
        c.disconnect();
        assertFalse(c.connect(persistent(60)).getSessionPresent());
    }

    @Test
    public void s3_1_2_anExpiredSessionIsRemovedWithItsSubscriptions() throws Exception {
        V5Client c = client("c");
        c.connect(persistent(1));
        c.subscribe(V5Client.sub(topic("q"), 1));
        c.disconnect();
        BROKER.awaitLog("Session of client '" + id("c") + "' expired");
        connected("pub").publish(topic("q"), "nobody", 1, false);
        assertFalse(c.connect(persistent(60)).getSessionPresent());
        assertNull("the expired session's queue is gone too", c.poll(300));
    }

    @Test
    public void s3_14_disconnectCanShortenTheSessionExpiry() throws Exception {
        V5Client c = client("c");
        c.connect(persistent(300));
        MqttProperties p = new MqttProperties();
        p.setSessionExpiryInterval(0L);
        c.paho.disconnect(5000, null, null, 0, p).waitForCompletion(10_000);
        assertFalse(c.connect(persistent(60)).getSessionPresent());
    }

    @Test
    public void s3_1_3_willIsDelayedAndCancelledByReconnect() throws Exception {
        V5Client watcher = connected("watcher");
        watcher.subscribe(V5Client.sub(topic("will"), 1));

        V5Client dying = client("dying");
        MqttConnectionOptions o = persistent(60);
        MqttProperties willProps = new MqttProperties();
        willProps.setWillDelayInterval(30L);
        o.setWillMessageProperties(willProps);
        o.setWill(topic("will"), V5Client.message("should be cancelled", 1, false));
        dying.connect(o);
        dying.drop();
        BROKER.awaitLog("its will to '" + topic("will") + "' is sent in 30 s");
        dying.connect(persistent(60)); // back within the delay: no will

        connected("marker").publish(topic("will"), "marker", 1, false);
        assertEquals("marker", watcher.next().text());
    }

    @Test
    public void s3_1_3_delayedWillIsSentWhenTheDelayPasses() throws Exception {
        V5Client watcher = connected("watcher");
        watcher.subscribe(V5Client.sub(topic("will"), 1));
        V5Client dying = client("dying");
        MqttConnectionOptions o = persistent(60);
        MqttProperties willProps = new MqttProperties();
        willProps.setWillDelayInterval(1L);
        willProps.setContentType("text/plain");
        o.setWillMessageProperties(willProps);
        o.setWill(topic("will"), V5Client.message("late goodbye", 1, false));
        dying.connect(o);
        dying.drop();
        V5Client.Received will = watcher.next();
        assertEquals("late goodbye", will.text());
        assertEquals("will properties travel with it", "text/plain", will.message().getProperties().getContentType());
    }

    @Test
    public void s3_14_disconnectWithReason4PublishesTheWill() throws Exception {
        V5Client watcher = connected("watcher");
        watcher.subscribe(V5Client.sub(topic("will"), 1));
        V5Client c = client("c");
        MqttConnectionOptions o = V5Client.options();
        o.setWill(topic("will"), V5Client.message("asked for", 1, false));
        c.connect(o);
        c.paho.disconnect(5000, null, null, 0x04, new MqttProperties()).waitForCompletion(10_000);
        assertEquals("asked for", watcher.next().text());
    }

    // ---- 3.3 PUBLISH ----

    @Test
    public void s3_3_2_propertiesTravelEndToEndInOrder() throws Exception {
        V5Client sub = connected("sub");
        sub.subscribe(V5Client.sub(topic("p"), 1));
        MqttMessage m = V5Client.message("{\"on\":true}", 1, false);
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new UserProperty("b", "2"), new UserProperty("a", "1"), new UserProperty("b", "3")));
        p.setContentType("application/json");
        p.setResponseTopic(topic("reply"));
        p.setCorrelationData(new byte[] {1, 2, 3});
        p.setPayloadFormat(true);
        m.setProperties(p);
        connected("pub").publish(topic("p"), m);
        MqttProperties got = sub.next().message().getProperties();
        assertEquals(List.of(new UserProperty("b", "2"), new UserProperty("a", "1"), new UserProperty("b", "3")),
                got.getUserProperties());
        assertEquals("application/json", got.getContentType());
        assertEquals(topic("reply"), got.getResponseTopic());
        assertArrayEquals(new byte[] {1, 2, 3}, got.getCorrelationData());
        assertTrue(got.getPayloadFormat());
    }

    @Test
    public void s3_3_2_payloadMarkedUtf8MustBeUtf8() throws Exception {
        V5Client pub = connected("pub");
        MqttMessage m = new MqttMessage(new byte[] {(byte) 0xC3, 0x28});
        m.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setPayloadFormat(true);
        m.setProperties(p);
        IMqttToken t = pub.publish(topic("bad"), m);
        assertEquals(0x99, t.getReasonCodes()[0]);
    }

    @Test
    public void s3_3_2_messageExpiryDropsOldMessagesAndSendsTheRemainingInterval() throws Exception {
        V5Client sub = client("sub");
        sub.connect(persistent(60));
        sub.subscribe(V5Client.sub(topic("e"), 1));
        sub.disconnect();
        V5Client pub = connected("pub");
        MqttMessage shortLived = V5Client.message("expires", 1, false);
        MqttProperties p1 = new MqttProperties();
        p1.setMessageExpiryInterval(1L);
        shortLived.setProperties(p1);
        pub.publish(topic("e"), shortLived);
        MqttMessage longLived = V5Client.message("lives", 1, false);
        MqttProperties p2 = new MqttProperties();
        p2.setMessageExpiryInterval(100L);
        longLived.setProperties(p2);
        pub.publish(topic("e"), longLived);
        Thread.sleep(2100); // the condition is time itself: let the first message's second pass
        sub.connect(persistent(60));
        V5Client.Received r = sub.next();
        assertEquals("lives", r.text());
        long remaining = r.message().getProperties().getMessageExpiryInterval();
        assertTrue("remaining interval " + remaining, remaining > 0 && remaining <= 98);
    }

    @Test
    public void s3_3_4_noMatchingSubscribersIsReportedInPuback() throws Exception {
        IMqttToken t = connected("pub").publish(topic("nobody/listens"), "x", 1, false);
        assertEquals(0x10, t.getReasonCodes()[0]);
    }

    @Test
    public void s3_3_2_topicAliasesFromTheClientAreResolved() throws Exception {
        V5Client sub = connected("sub");
        sub.subscribe(V5Client.sub(topic("alias"), 1));
        V5Client pub = connected("pub");
        MqttMessage first = V5Client.message("one", 1, false);
        MqttProperties p = new MqttProperties();
        p.setTopicAlias(3);
        first.setProperties(p);
        pub.publish(topic("alias"), first);
        V5Client.Received r = sub.next();
        assertEquals("one", r.text());
        assertEquals(topic("alias"), r.topic());
    }

    // ---- 3.8 SUBSCRIBE options ----

    @Test
    public void s3_8_3_retainHandlingAndRetainAsPublished() throws Exception {
        V5Client pub = connected("pub");
        pub.publish(topic("r"), "retained", 1, true);

        V5Client never = connected("never");
        MqttSubscription s2 = V5Client.sub(topic("r"), 1);
        s2.setRetainHandling(2);
        never.subscribe(s2);
        V5Client onlyNew = connected("onlynew");
        MqttSubscription s1 = V5Client.sub(topic("r"), 1);
        s1.setRetainHandling(1);
        onlyNew.subscribe(s1);
        assertEquals("retained", onlyNew.next().text());
        onlyNew.subscribe(s1); // exists now: no retained message this time
        V5Client rap = connected("rap");
        MqttSubscription s3 = V5Client.sub(topic("r"), 1);
        s3.setRetainAsPublished(true);
        s3.setRetainHandling(2);
        rap.subscribe(s3);

        pub.publish(topic("r"), "live retained", 1, true);
        V5Client.Received plain = never.next();
        assertEquals("live retained", plain.text());
        assertFalse("without retain-as-published the flag is cleared", plain.message().isRetained());
        V5Client.Received r = rap.next();
        assertTrue("retain as published keeps the flag", r.message().isRetained());
        V5Client.Received n = onlyNew.next();
        assertEquals("live retained", n.text());
        pub.publish(topic("r"), "", 1, true);
    }

    @Test
    public void s3_8_3_noLocalDoesNotEchoOwnMessages() throws Exception {
        V5Client c = connected("c");
        MqttSubscription s = V5Client.sub(topic("chat"), 1);
        s.setNoLocal(true);
        c.subscribe(s);
        c.publish(topic("chat"), "mine", 1, false);
        connected("other").publish(topic("chat"), "theirs", 1, false);
        assertEquals("theirs", c.next().text());
    }

    @Test
    public void s3_8_2_subscriptionIdentifiersOfEveryMatchingSubscription() throws Exception {
        V5Client c = connected("c");
        MqttProperties one = new MqttProperties();
        one.setSubscriptionIdentifier(7);
        c.subscribe(one, V5Client.sub(topic("+"), 1));
        MqttProperties two = new MqttProperties();
        two.setSubscriptionIdentifier(42);
        c.subscribe(two, V5Client.sub(topic("#"), 1));
        connected("pub").publish(topic("x"), "both", 1, false);
        V5Client.Received r = c.next();
        assertEquals(Set.of(7, 42), new HashSet<>(r.message().getProperties().getSubscriptionIdentifiers()));
    }

    @Test
    public void s3_10_unsubackTellsWhetherASubscriptionExisted() throws Exception {
        V5Client c = connected("c");
        c.subscribe(V5Client.sub(topic("a"), 1));
        IMqttToken t = c.paho.unsubscribe(new String[] {topic("a"), topic("never")});
        t.waitForCompletion(10_000);
        assertArrayEquals(new int[] {0x00, 0x11}, t.getReasonCodes());
    }

    // ---- 4.8 shared subscriptions ----

    @Test
    public void s4_8_sharedSubscriptionSpreadsMessagesAcrossMembers() throws Exception {
        V5Client a = connected("a");
        V5Client b = connected("b");
        a.subscribe(V5Client.sub("$share/workers/" + topic("jobs"), 1));
        b.subscribe(V5Client.sub("$share/workers/" + topic("jobs"), 1));
        V5Client pub = connected("pub");
        for (int i = 0; i < 10; i++) {
            pub.publish(topic("jobs"), "job " + i, 1, false);
        }
        Set<String> seen = new HashSet<>();
        int fromA = 0;
        for (int i = 0; i < 10; i++) {
            V5Client.Received r = i % 2 == 0 ? a.poll(5000) : b.poll(5000);
            if (r == null) {
                r = i % 2 == 0 ? b.next() : a.next();
            } else if (i % 2 == 0) {
                fromA++;
            }
            assertTrue("each job once: " + r.text(), seen.add(r.text()));
        }
        assertEquals(10, seen.size());
        assertTrue("both members get work", fromA > 0 && fromA < 10);
    }

    @Test
    public void s4_8_unacknowledgedSharedMessagesMoveToAnotherMemberWhenOneLeaves() throws Exception {
        V5Client lazy = client("lazy");
        lazy.paho.setManualAcks(true); // receives, never acknowledges
        lazy.connect();
        lazy.subscribe(V5Client.sub("$share/g/" + topic("jobs"), 1));
        V5Client pub = connected("pub");
        pub.publish(topic("jobs"), "important", 1, false);
        assertEquals("important", lazy.next().text());

        V5Client diligent = connected("diligent");
        diligent.subscribe(V5Client.sub("$share/g/" + topic("jobs"), 1));
        lazy.drop();
        assertEquals("important", diligent.next().text());
    }

    // ---- 4.9 flow control, 3.1.2.24 maximum packet size ----

    @Test
    public void s4_9_clientReceiveMaximumLimitsWhatIsInFlight() throws Exception {
        V5Client c = client("c");
        c.paho.setManualAcks(true);
        MqttConnectionOptions o = V5Client.options();
        o.setReceiveMaximum(2);
        c.connect(o);
        c.subscribe(V5Client.sub(topic("f"), 1));
        V5Client pub = connected("pub");
        for (int i = 0; i < 4; i++) {
            pub.publish(topic("f"), "m" + i, 1, false);
        }
        V5Client.Received m0 = c.next();
        c.next();
        assertNull("no more than receive maximum unacknowledged", c.poll(500));
        c.paho.messageArrivedComplete(m0.message().getId(), 1);
        assertEquals("m2", c.next().text());
    }

    @Test
    public void s3_1_2_25_messagesAboveTheClientsMaximumPacketSizeAreNotSent() throws Exception {
        V5Client c = client("c");
        MqttConnectionOptions o = V5Client.options();
        o.setMaximumPacketSize(200L);
        c.connect(o);
        c.subscribe(V5Client.sub(topic("size"), 1));
        V5Client pub = connected("pub");
        pub.publish(topic("size"), "x".repeat(500), 1, false);
        pub.publish(topic("size"), "small", 1, false);
        assertEquals("small", c.next().text());
    }

    // ---- 3.14 server DISCONNECT ----

    @Test
    public void s3_14_sessionTakenOverIsToldWithReason0x8E() throws Exception {
        V5Client first = connected("same");
        V5Client second = new V5Client(BROKER.uri(), id("same"));
        clients.add(second);
        second.connect();
        MqttDisconnectResponse r = first.awaitDisconnect();
        assertEquals(0x8E, r.getReturnCode());
    }

    @Test
    public void s3_14_keepAliveTimeoutIsToldWithReason0x8D() throws Exception {
        V5Client silent = new V5Client(BROKER.uri(), id("silent"), true);
        clients.add(silent);
        MqttConnectionOptions o = V5Client.options();
        o.setKeepAliveInterval(1);
        silent.connect(o);
        assertEquals(0x8D, silent.awaitDisconnect().getReturnCode());
    }

    // ---- 4.10 request / response ----

    @Test
    public void s4_10_requestResponseRoundTrip() throws Exception {
        V5Client responder = connected("responder");
        responder.subscribe(V5Client.sub(topic("requests"), 1));
        V5Client requester = client("requester");
        MqttConnectionOptions o = V5Client.options();
        o.setRequestResponseInfo(true);
        String base = requester.connect(o).getResponseProperties().getResponseInfo();
        String replyTo = base + "/" + name.getMethodName();
        requester.subscribe(V5Client.sub(replyTo, 1));
        MqttMessage request = V5Client.message("ping", 1, false);
        MqttProperties p = new MqttProperties();
        p.setResponseTopic(replyTo);
        p.setCorrelationData("req-1".getBytes(StandardCharsets.UTF_8));
        request.setProperties(p);
        requester.publish(topic("requests"), request);

        V5Client.Received got = responder.next();
        MqttMessage response = V5Client.message("pong", 1, false);
        MqttProperties rp = new MqttProperties();
        rp.setCorrelationData(got.message().getProperties().getCorrelationData());
        response.setProperties(rp);
        responder.publish(got.message().getProperties().getResponseTopic(), response);

        V5Client.Received answer = requester.next();
        assertEquals("pong", answer.text());
        assertArrayEquals("req-1".getBytes(StandardCharsets.UTF_8), answer.message().getProperties().getCorrelationData());
    }
}
