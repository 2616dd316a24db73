package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 8: bounded stored state. With small limits in {@code etc/io.meridianmq.broker.cfg},
 * a client that would make the broker keep more sessions, subscriptions, retained messages or
 * longer topics is refused with 0x97 (quota exceeded; 3.1.1: CONNACK 3, SUBACK 0x80), logged,
 * and the broker keeps serving.
 */
public class StoredStateLimitsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "max_sessions = 3\nmax_subscriptions = 2\n"
                    + "max_retained_messages = 2\nmax_retained_bytes = 1000\nmax_topic_levels = 4\n"
                    + "max_topic_length = 64\n");

    private static Mqtt5BlockingClient client(String id) {
        return MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1").serverPort(BROKER.port())
                .buildBlocking();
    }

    /** The SUBACK, also when the HiveMQ client throws it because it holds an error code. */
    private static Mqtt5SubAck subAck(java.util.function.Supplier<Mqtt5SubAck> subscribe) {
        try {
            return subscribe.get();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }

    @Test
    public void subscriptionsPerClientAndTopicLevelsAreBounded() {
        Mqtt5BlockingClient c = client("limits-subs");
        c.connect();
        try {
            Mqtt5SubAck ack = subAck(() -> c.subscribeWith().addSubscription().topicFilter("a/1").applySubscription()
                    .addSubscription().topicFilter("a/2").applySubscription()
                    .addSubscription().topicFilter("a/3").applySubscription().send());
            assertEquals(Mqtt5SubAckReasonCode.GRANTED_QOS_2, ack.getReasonCodes().get(0)); // the client's default QoS
            assertEquals(Mqtt5SubAckReasonCode.GRANTED_QOS_2, ack.getReasonCodes().get(1));
            assertEquals("the third subscription", Mqtt5SubAckReasonCode.QUOTA_EXCEEDED, ack.getReasonCodes().get(2));
            // subscribing again to one it has replaces it: within the limit
            assertEquals(Mqtt5SubAckReasonCode.GRANTED_QOS_1, subAck(() -> c.subscribeWith().topicFilter("a/1")
                    .qos(MqttQos.AT_LEAST_ONCE).send()).getReasonCodes().get(0));
            c.unsubscribeWith().topicFilter("a/2").send();
            assertEquals(Mqtt5SubAckReasonCode.QUOTA_EXCEEDED, subAck(() -> c.subscribeWith().topicFilter("a/b/c/d/e")
                    .send()).getReasonCodes().get(0));
        } finally {
            c.disconnect();
        }
    }

    @Test
    public void topicLengthAndRetainedMessagesAreBounded() throws Exception {
        Mqtt5BlockingClient c = client("limits-retained");
        c.connect();
        try {
            assertPubAck(c, "x".repeat(65), false, "too long", Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            assertPubAck(c, "keep/1", true, "first", Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            assertPubAck(c, "keep/2", true, "second", Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            assertPubAck(c, "keep/3", true, "third", Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            assertPubAck(c, "keep/1", true, "replaced", Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
            assertPubAck(c, "keep/2", true, "y".repeat(1200), Mqtt5PubAckReasonCode.QUOTA_EXCEEDED);
            // 3.1.1 has no negative PUBACK: mosquitto_sub sees that keep/3 was not retained
            MosquittoCommand sub = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv311",
                    "-t", "keep/#", "-v", "-C", "2", "-W", "10");
            assertEquals(sub.output(), "keep/1 replaced\nkeep/2 second\n", sub.output());
            assertPubAck(c, "keep/1", true, "", Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS); // clearing always fits
            assertPubAck(c, "keep/3", true, "now it fits", Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
        } finally {
            c.disconnect();
        }
        BROKER.awaitLogLine(l -> l.contains("limits-retained") && l.contains("max_retained_messages"),
                "the refusal at max_retained_messages");
    }

    private static void assertPubAck(Mqtt5BlockingClient c, String topic, boolean retain, String payload,
            Mqtt5PubAckReasonCode expected) {
        try {
            Mqtt5PublishResult result = c.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(retain)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send();
            Mqtt5PubAckReasonCode got = ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode();
            // accepted is accepted, with or without a subscriber (mosquitto_sub's may still be leaving)
            if (!expected.isError() && !got.isError()) {
                return;
            }
            assertEquals(topic, expected, got);
        } catch (Mqtt5PubAckException refused) {
            assertEquals(topic, expected, refused.getMqttMessage().getReasonCode());
        }
    }

    @Test
    public void persistentSessionsAreBounded() {
        for (int i = 0; i < 3; i++) {
            Mqtt5BlockingClient c = client("kept-" + i);
            c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            c.disconnect();
        }
        try {
            client("kept-3").connectWith().cleanStart(false).sessionExpiryInterval(3600).send();
            throw new AssertionError("a fourth persistent session was accepted with max_sessions = 3");
        } catch (Mqtt5ConnAckException refused) {
            assertEquals(Mqtt5ConnAckReasonCode.QUOTA_EXCEEDED, refused.getMqttMessage().getReasonCode());
        }
        // an existing one comes back, and a clean session is not stored: both fine
        Mqtt5BlockingClient back = client("kept-0");
        assertTrue(back.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent());
        back.disconnect();
    }
}
