package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;

import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

/** MQTT 3.1.1 behaviour of the real distribution, driven by the HiveMQ MQTT client. */
public class HiveMqClientTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private final List<Mqtt3BlockingClient> clients = new ArrayList<>();

    @After
    public void disconnect() {
        for (Mqtt3BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                c.disconnect();
            }
        }
    }

    private Mqtt3BlockingClient client(String id) {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(BROKER.port()).buildBlocking();
        clients.add(c);
        return c;
    }

    private static Mqtt3Publish receive(Mqtt3BlockingClient.Mqtt3Publishes publishes) throws InterruptedException {
        Optional<Mqtt3Publish> p = publishes.receive(10, TimeUnit.SECONDS);
        assertTrue("no message arrived within 10 s", p.isPresent());
        return p.get();
    }

    @Test
    public void publishAndSubscribeAtEveryQos() throws Exception {
        Mqtt3BlockingClient sub = client("hive-sub");
        sub.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("hive/+/qos").qos(MqttQos.EXACTLY_ONCE).send();
            Mqtt3BlockingClient pub = client("hive-pub");
            pub.connect();
            for (MqttQos qos : MqttQos.values()) {
                pub.publishWith().topic("hive/" + qos.getCode() + "/qos").qos(qos)
                        .payload(("at " + qos).getBytes(StandardCharsets.UTF_8)).send();
                Mqtt3Publish p = receive(publishes);
                assertEquals("hive/" + qos.getCode() + "/qos", p.getTopic().toString());
                assertEquals(qos, p.getQos());
                assertEquals("at " + qos, new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    public void retainedMessageReachesALateSubscriber() throws Exception {
        Mqtt3BlockingClient pub = client("hive-retainer");
        pub.connect();
        pub.publishWith().topic("hive/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("state".getBytes(StandardCharsets.UTF_8)).send();
        Mqtt3BlockingClient sub = client("hive-late");
        sub.connect();
        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("hive/retained").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt3Publish p = receive(publishes);
            assertTrue(p.isRetain());
            assertEquals("state", new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
        pub.publishWith().topic("hive/retained").retain(true).send(); // empty payload clears it
    }

    @Test
    public void persistentSessionIsPresentOnReconnectAndKeepsQueuedMessages() throws Exception {
        Mqtt3BlockingClient sub = client("hive-persistent");
        Mqtt3ConnAck first = sub.connectWith().cleanSession(true).send();
        assertFalse(first.isSessionPresent());
        sub.disconnect();
        sub.connectWith().cleanSession(false).send();
        sub.subscribeWith().topicFilter("hive/queued").qos(MqttQos.AT_LEAST_ONCE).send();
        sub.disconnect();

        Mqtt3BlockingClient pub = client("hive-queuer");
        pub.connect();
        pub.publishWith().topic("hive/queued").qos(MqttQos.AT_LEAST_ONCE)
                .payload("while away".getBytes(StandardCharsets.UTF_8)).send();

        try (Mqtt3BlockingClient.Mqtt3Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            Mqtt3ConnAck again = sub.connectWith().cleanSession(false).send();
            assertTrue("the session must be present", again.isSessionPresent());
            assertEquals("while away", new String(receive(publishes).getPayloadAsBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    public void emptyClientIdWithoutCleanSessionIsRejected() {
        Mqtt3BlockingClient c = MqttClient.builder().useMqttVersion3()
                .serverHost("127.0.0.1").serverPort(BROKER.port()).buildBlocking();
        try {
            c.connectWith().cleanSession(false).send();
            c.disconnect();
            fail("the broker must refuse an empty client id without clean session");
        } catch (Mqtt3ConnAckException e) {
            assertEquals(Mqtt3ConnAckReturnCode.IDENTIFIER_REJECTED, e.getMqttMessage().getReturnCode());
        }
    }
}
