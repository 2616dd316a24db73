package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Rule;
import org.junit.Test;

/**
 * A long queue of an offline persistent session waits on disk, not in heap (beyond the first
 * 1,000 messages), and comes back complete and in order: while the broker runs and after a kill.
 * Published with mosquitto_pub, received with Paho.
 */
public class OfflineQueueTest {

    private static final int MESSAGES = 3000;

    @Rule
    public final BrokerProcess broker = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "max_queued_messages = 100000\n");

    private final List<String> received = new CopyOnWriteArrayList<>();

    private MqttClient subscriber() throws Exception {
        MqttClient c = new MqttClient(broker.uri(), "long-queue", new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        c.connect(o);
        return c;
    }

    private void publish(int from) throws Exception {
        String lines = IntStream.range(from, from + MESSAGES).mapToObj(Integer::toString)
                .collect(Collectors.joining("\n", "", "\n"));
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()), "-q",
                "1", "-t", "queue/long", "-l").redirectErrorStream(true).start();
        p.getOutputStream().write(lines.getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("mosquitto_pub: " + out, 0, p.waitFor());
    }

    private void awaitInOrder(int upTo) {
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= upTo);
        List<String> expected = IntStream.range(0, upTo).mapToObj(Integer::toString).toList();
        assertEquals(expected, received);
    }

    @Test
    public void aLongOfflineQueueComesBackCompleteAndInOrder() throws Exception {
        MqttClient c = subscriber();
        c.subscribe("queue/long", 1);
        c.disconnect();
        publish(0);
        c.connect(options());
        awaitInOrder(MESSAGES);
        c.disconnect();

        publish(MESSAGES);
        broker.kill();
        broker.restart();
        c.connect(options());
        awaitInOrder(2 * MESSAGES);
        c.disconnect();
        c.close();
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        return o;
    }
}
