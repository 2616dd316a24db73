package io.meridianmq.e2e;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A Paho publisher (clean session, MQTT 3.1.1) on its own thread that publishes numbered
 * messages one after the other ({@code NAME-N-NANOS}: its name, a number, when it was sent by
 * {@link System#nanoTime}) and records those the broker acknowledged; when the broker goes away
 * it reconnects and goes on with the next number, so each payload is published once.
 */
final class NumberedPublisher implements Runnable {

    final String name;
    final int qos;
    private final String uri;
    private final String topic;
    /** Pause between two messages, in milliseconds (0: as fast as acknowledgements come). */
    private final long pauseMillis;
    final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger sent = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    NumberedPublisher(String uri, String name, String topic, int qos, long pauseMillis) {
        this.uri = uri;
        this.name = name;
        this.topic = topic;
        this.qos = qos;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this, "publisher-" + name);
    }

    void start() {
        thread.start();
    }

    void stop() throws InterruptedException {
        running.set(false);
        thread.join(30_000);
    }

    /** When a payload of this format was sent, by {@link System#nanoTime}. */
    static long sentAt(String payload) {
        return Long.parseLong(payload.substring(payload.lastIndexOf('-') + 1));
    }

    @Override
    public void run() {
        int n = 0;
        MqttClient client = null;
        LongSupplier now = System::nanoTime;
        while (running.get()) {
            try {
                if (client == null || !client.isConnected()) {
                    client = new MqttClient(uri, name, new MemoryPersistence());
                    // Paho can wait forever for a token when the connection dies in the middle of
                    // a CONNECT or PUBLISH (paho.mqtt.java #86, #1013): bound each wait, retry after
                    client.setTimeToWait(10_000);
                    MqttConnectOptions o = new MqttConnectOptions();
                    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                    o.setCleanSession(true);
                    o.setConnectionTimeout(2);
                    client.connect(o);
                }
                String payload = name + "-" + n++ + "-" + now.getAsLong();
                MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
                m.setQos(qos);
                sent.incrementAndGet();
                client.publish(topic, m); // returns once PUBACK / PUBCOMP arrived (QoS 1/2)
                acknowledged.add(payload);
                if (pauseMillis > 0) {
                    pause(pauseMillis); // pacing the load, not waiting for a result
                }
            } catch (MqttException e) {
                // the broker is down (killed by the test): not acknowledged, so no promise; try again
                failures.incrementAndGet();
                closeQuietly(client);
                client = null;
                pause(100);
            }
        }
        closeQuietly(client);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(MqttClient client) {
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(100, 100);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // already gone
        }
    }
}
