package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * Two Meridians bridged both ways over MQTT 5: a message crosses once in each direction and never
 * comes back (no-local on both sides), with its user properties; QoS 2 arrives once; and with the
 * remote stopped, the local broker killed and both started again, every message the local one
 * acknowledged meanwhile reaches the remote's persistent subscriber. Clients: Paho 5 and 3.1.1.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class MqttBridgeMeridianTest {

    private static BrokerProcess central;
    private static BrokerProcess site;
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @BeforeClass
    public static void start() throws Exception {
        central = new BrokerProcess();
        central.start();
        site = new BrokerProcess().withFeature("meridian-bridge-mqtt").withEtcFile("io.meridianmq.bridge-central.cfg",
                "address = 127.0.0.1:" + central.port() + "\nbridge_protocol_version = mqttv50\n"
                        + "topic = fleet/# both 1\ntopic.2 = ctl/# both 2\n"
                        + "remote_clientid = site-" + RUN + "\nrestart_timeout = 1 2\n");
        site.start();
        site.awaitLog("Bridge 'central' connected to 127.0.0.1:" + central.port(), Duration.ofSeconds(60));
    }

    @AfterClass
    public static void stop() {
        if (site != null) {
            site.stop();
        }
        if (central != null) {
            central.stop();
        }
    }

    private static V5Client subscribed(BrokerProcess broker, String filter, int qos) throws Exception {
        V5Client c = new V5Client(broker.uri(), "sub-" + UUID.randomUUID());
        c.connect();
        c.subscribe(V5Client.sub(filter, qos));
        return c;
    }

    @Test
    public void a_bothWaysOnceEachWithTheirProperties() throws Exception {
        try (V5Client onSite = subscribed(site, "fleet/#", 1);
                V5Client onCentral = subscribed(central, "fleet/#", 1);
                V5Client sitePublisher = new V5Client(site.uri(), "pub-site-" + RUN);
                V5Client centralPublisher = new V5Client(central.uri(), "pub-central-" + RUN)) {
            sitePublisher.connect();
            centralPublisher.connect();
            MqttMessage m = V5Client.message("from the site", 1, false);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("truck", "17")));
            p.setContentType("text/plain");
            m.setProperties(p);
            sitePublisher.publish("fleet/truck17", m);
            V5Client.Received there = onCentral.next();
            assertEquals("from the site", there.text());
            assertEquals(List.of(new UserProperty("truck", "17")), there.message().getProperties().getUserProperties());
            assertEquals("text/plain", there.message().getProperties().getContentType());
            assertEquals("from the site", onSite.next().text());

            centralPublisher.publish("fleet/all", "from the centre", 1, false);
            assertEquals("from the centre", onSite.next().text());
            assertEquals("from the centre", onCentral.next().text());
            // once each: nothing came back round
            assertNull("nothing more at the site", onSite.poll(1000));
            assertNull("nothing more at the centre", onCentral.poll(200));
        }
    }

    @Test
    public void b_qos2CrossesExactlyOnce() throws Exception {
        try (V5Client onSite = subscribed(site, "ctl/#", 2);
                V5Client centralPublisher = new V5Client(central.uri(), "pub2-central-" + RUN)) {
            centralPublisher.connect();
            for (int i = 0; i < 20; i++) {
                centralPublisher.publish("ctl/valve", "step " + i, 2, false);
            }
            for (int i = 0; i < 20; i++) {
                V5Client.Received r = onSite.next();
                assertEquals("step " + i, r.text());
                assertEquals(2, r.message().getQos());
            }
            assertNull(onSite.poll(1000));
        }
    }

    @Test
    public void c_nothingAcknowledgedIsLostAcrossARestartOfEitherSide() throws Exception {
        PersistentSubscriber receiver = new PersistentSubscriber(central.uri(), "receiver-" + RUN, null);
        receiver.connect();
        receiver.client.subscribe("fleet/restart/#", 1);
        receiver.client.disconnect();
        central.halt();
        Set<String> acknowledged = new HashSet<>();
        try (V5Client publisher = new V5Client(site.uri(), "pub-restart-" + RUN)) {
            publisher.connect();
            for (int i = 0; i < 200; i++) {
                String payload = "kept " + i;
                publisher.publish("fleet/restart/x", payload, 1, false); // waits for the PUBACK
                acknowledged.add(payload);
            }
        }
        site.kill();
        site.restart(); // a fresh log: the line below is this run's
        central.restart();
        site.awaitLog("Bridge 'central' connected", Duration.ofSeconds(60));
        receiver.connect();
        try {
            Awaitility.await("every acknowledged message arrives").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250)).until(() -> receiver.missing(acknowledged).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException notAll) {
            // said below
        }
        assertTrue("lost: " + receiver.missing(acknowledged), receiver.missing(acknowledged).isEmpty());
        receiver.close();
    }
}
