package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;

import org.junit.ClassRule;
import org.junit.Test;

/** MQTT 5.0 with the HiveMQ client: a second, independent implementation of the protocol. */
public class HiveMqMqtt5Test {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static Mqtt5BlockingClient client(String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(BROKER.port()).buildBlocking();
    }

    @Test
    public void s3_3_publishWithPropertiesAtEveryQos() throws Exception {
        Mqtt5BlockingClient sub = client("hive5-sub");
        Mqtt5BlockingClient pub = client("hive5-pub");
        sub.connect();
        pub.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes publishes = sub.publishes(MqttGlobalPublishFilter.ALL)) {
            sub.subscribeWith().topicFilter("hive5/#").qos(MqttQos.EXACTLY_ONCE).send();
            for (MqttQos qos : MqttQos.values()) {
                pub.publishWith().topic("hive5/" + qos.getCode()).qos(qos).contentType("text/plain")
                        .userProperties().add("qos", String.valueOf(qos.getCode())).applyUserProperties()
                        .payload(("q" + qos.getCode()).getBytes(StandardCharsets.UTF_8)).send();
                Optional<Mqtt5Publish> p = publishes.receive(10, TimeUnit.SECONDS);
                assertTrue(p.isPresent());
                assertEquals(qos, p.get().getQos());
                assertEquals("text/plain", p.get().getContentType().get().toString());
                assertEquals(String.valueOf(qos.getCode()),
                        p.get().getUserProperties().asList().get(0).getValue().toString());
            }
        } finally {
            sub.disconnect();
            pub.disconnect();
        }
    }

    @Test
    public void s3_2_sessionExpiryAndSessionPresent() {
        Mqtt5BlockingClient c = client("hive5-session");
        Mqtt5ConnAck first = c.connectWith().cleanStart(true).sessionExpiryInterval(120).send();
        assertEquals(false, first.isSessionPresent());
        c.disconnect();
        Mqtt5ConnAck second = c.connectWith().cleanStart(false).sessionExpiryInterval(120).send();
        assertEquals(true, second.isSessionPresent());
        c.disconnect();
    }

    @Test
    public void s3_4_pubackSaysNoMatchingSubscribers() {
        Mqtt5BlockingClient c = client("hive5-lonely");
        c.connect();
        try {
            Mqtt5PublishResult r = c.publishWith().topic("hive5/nobody").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt5PublishResult.Mqtt5Qos1Result q1 = (Mqtt5PublishResult.Mqtt5Qos1Result) r;
            assertEquals(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS, q1.getPubAck().getReasonCode());
        } finally {
            c.disconnect();
        }
    }
}
