package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.Rule;
import org.junit.Test;

/**
 * Nothing acknowledged is lost when the broker is killed (SIGKILL) and restarted, several times,
 * while Paho clients publish at QoS 1 and QoS 2 to persistent subscribers that are online and
 * offline: every acknowledged QoS 1 message arrives at least once, every acknowledged QoS 2
 * message exactly once (and no QoS 2 message twice), retained messages and subscriptions come
 * back, and an expired session is gone.
 */
public class CrashRecoveryTest {

    private static final int KILLS = 3;

    @Rule
    public final BrokerProcess broker = new BrokerProcess()
            // offline subscribers collect every message of the test; the default limit would drop some
            .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 1000000\nmax_queued_bytes = 0\n");

    @Test
    public void acknowledgedMessagesSurviveRepeatedKills() throws Exception {
        // subscribers: two stay online (reconnecting after each restart), two are offline throughout
        PersistentSubscriber onlineQ1 = new PersistentSubscriber(broker.uri(), "online-q1", null);
        PersistentSubscriber onlineQ2 = new PersistentSubscriber(broker.uri(), "online-q2", null);
        PersistentSubscriber offlineQ1 = new PersistentSubscriber(broker.uri(), "offline-q1", null);
        PersistentSubscriber offlineQ2 = new PersistentSubscriber(broker.uri(), "offline-q2", null);
        for (PersistentSubscriber s : List.of(onlineQ1, offlineQ1)) {
            s.connect();
            s.client.subscribe("crash/q1/#", 1);
        }
        for (PersistentSubscriber s : List.of(onlineQ2, offlineQ2)) {
            s.connect();
            s.client.subscribe("crash/q2/#", 2);
        }
        offlineQ1.client.disconnect();
        offlineQ2.client.disconnect();

        // retained messages, and an MQTT 5 session that expires while the broker is down
        try (V5Client retainer = new V5Client(broker.uri(), "retainer")) {
            retainer.connect();
            for (int i = 0; i < 20; i++) {
                retainer.publish("crash/retained/" + i, "retained-" + i, 1, true);
            }
            retainer.disconnect();
        }
        try (V5Client shortLived = new V5Client(broker.uri(), "short-lived")) {
            MqttConnectionOptions o = V5Client.options();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(1L);
            shortLived.connect(o);
            shortLived.subscribe(V5Client.sub("crash/q1/#", 1));
            shortLived.disconnect();
        }

        NumberedPublisher q1 = new NumberedPublisher(broker.uri(), "pub-q1", "crash/q1/pub-q1", 1, 0);
        NumberedPublisher q2 = new NumberedPublisher(broker.uri(), "pub-q2", "crash/q2/pub-q2", 2, 0);
        q1.start();
        q2.start();
        for (int kill = 1; kill <= KILLS; kill++) {
            int before1 = q1.acknowledged.size();
            int before2 = q2.acknowledged.size();
            // let traffic flow, then kill the broker in the middle of it
            await("traffic before kill " + kill + " (q1 " + before1 + ", q2 " + before2 + " acknowledged so far)")
                    .atMost(Duration.ofSeconds(60)).until(() -> q1.acknowledged.size() >= before1 + 200
                    && q2.acknowledged.size() >= before2 + 100);
            broker.kill();
            broker.restart();
            for (PersistentSubscriber s : List.of(onlineQ1, onlineQ2)) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    s.reconnectIfLost();
                    return true;
                });
            }
        }
        // one more round of traffic after the last restart, then stop publishing
        int before1 = q1.acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> q1.acknowledged.size() >= before1 + 100);
        q1.stop();
        q2.stop();
        assertTrue("the publishers noticed the kills", q1.failures.get() > 0 && q2.failures.get() > 0);

        offlineQ1.connect();
        offlineQ2.connect();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertEquals("acknowledged QoS 1 messages online-q1 lacks", Set.of(), onlineQ1.missing(q1.acknowledged));
            assertEquals("acknowledged QoS 1 messages offline-q1 lacks", Set.of(), offlineQ1.missing(q1.acknowledged));
            assertEquals("acknowledged QoS 2 messages online-q2 lacks", Set.of(), onlineQ2.missing(q2.acknowledged));
            assertEquals("acknowledged QoS 2 messages offline-q2 lacks", Set.of(), offlineQ2.missing(q2.acknowledged));
        });
        for (PersistentSubscriber s : List.of(onlineQ2, offlineQ2)) {
            // exactly once: a QoS 2 message never arrives twice, acknowledged or not
            assertEquals(s.client.getClientId() + " got QoS 2 messages more than once", List.of(), s.duplicates());
        }

        // retained messages are back, and the session that expired while the broker was down is gone
        try (V5Client checker = new V5Client(broker.uri(), "retained-checker")) {
            checker.connect();
            checker.subscribe(V5Client.sub("crash/retained/#", 1));
            Set<String> retained = new TreeSet<>();
            for (int i = 0; i < 20; i++) {
                retained.add(checker.next().text());
            }
            assertEquals(20, retained.size());
        }
        try (V5Client shortLived = new V5Client(broker.uri(), "short-lived")) {
            MqttConnectionOptions o = V5Client.options();
            o.setCleanStart(false);
            o.setSessionExpiryInterval(60L);
            assertFalse("the expired session is gone", shortLived.connect(o).getSessionPresent());
        }
        broker.awaitLog("persistent session(s) restored");
        for (PersistentSubscriber s : List.of(onlineQ1, onlineQ2, offlineQ1, offlineQ2)) {
            s.close();
        }
    }

    @Test
    public void aDelayedWillSurvivesAKillAndIsSentWhenDue() throws Exception {
        V5Client dying = new V5Client(broker.uri(), "dying-device");
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(120L);
        org.eclipse.paho.mqttv5.common.packet.MqttProperties will = new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
        will.setWillDelayInterval(8L);
        o.setWillMessageProperties(will);
        // retained, so that it is seen whether it fires before or after the checker subscribes
        o.setWill("crash/will", V5Client.message("dying-device is gone", 1, true));
        dying.connect(o);
        dying.drop();
        broker.awaitLog("its will to 'crash/will' is sent in 8 s");
        dying.close();
        broker.kill();
        broker.restart();
        try (V5Client checker = new V5Client(broker.uri(), "will-checker")) {
            checker.connect();
            checker.subscribe(V5Client.sub("crash/will", 1));
            V5Client.Received got = checker.poll(30_000);
            assertTrue("the delayed will was kept across the kill and sent; broker log:\n" + broker.tail(), got != null);
            assertEquals("dying-device is gone", got.text());
        }
    }

}
