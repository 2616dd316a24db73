package io.meridianmq.e2e;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A persistent (clean session false, MQTT 3.1.1) Paho subscriber that counts what arrives by
 * payload and notes how each arrived (packet id, dup flag, connection number), so that a
 * duplicate or a loss can be explained. Its Paho state (incoming QoS 2 packet ids) survives its
 * reconnections, as a real device's would.
 */
final class PersistentSubscriber implements MqttCallback {

    final MqttClient client;
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final Map<String, List<String>> arrivals = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    /** Called with each payload as it arrives (on Paho's thread); may be null. */
    private final Consumer<String> onArrival;

    /** The brokers to try in turn when connecting (a cluster's nodes), or null for the one it was made with. */
    private final String[] serverUris;

    PersistentSubscriber(String uri, String clientId, Consumer<String> onArrival) throws MqttException {
        this(new String[] {uri}, clientId, onArrival);
    }

    /** A subscriber that connects to the first of {@code uris} that answers (Paho tries them in order). */
    PersistentSubscriber(String[] uris, String clientId, Consumer<String> onArrival) throws MqttException {
        this.onArrival = onArrival;
        this.serverUris = uris.length > 1 ? uris.clone() : null;
        client = new MqttClient(uris[0], clientId, new MemoryPersistence());
        // Paho can wait forever for a token when the connection dies in the middle of a CONNECT
        // (paho.mqtt.java #86, #1013): bound each wait
        client.setTimeToWait(10_000);
        client.setCallback(this);
    }

    void connect() throws MqttException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(false);
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        if (serverUris != null) {
            o.setServerURIs(serverUris);
        }
        connections.incrementAndGet();
        client.connect(o);
    }

    /** Connects again if the connection was lost (the broker was killed). */
    void reconnectIfLost() throws MqttException {
        if (!client.isConnected()) {
            connect();
        }
    }

    int count(String payload) {
        AtomicInteger n = received.get(payload);
        return n == null ? 0 : n.get();
    }

    /** Of {@code acknowledged}, those that never arrived. */
    Set<String> missing(Set<String> acknowledged) {
        Set<String> missing = new TreeSet<>();
        for (String payload : acknowledged) {
            if (count(payload) == 0) {
                missing.add(payload);
            }
        }
        return missing;
    }

    /** The payloads that arrived more than once, each with how it arrived. */
    List<String> duplicates() {
        List<String> twice = new ArrayList<>();
        received.forEach((payload, n) -> {
            if (n.get() > 1) {
                twice.add(payload + " x" + n.get() + " " + arrivals.get(payload));
            }
        });
        return twice;
    }

    /** How the payloads that start with {@code prefix} arrived (for a failure message). */
    java.util.SortedMap<String, List<String>> arrivals(String prefix) {
        java.util.SortedMap<String, List<String>> found = new java.util.TreeMap<>();
        arrivals.forEach((payload, how) -> {
            if (payload.startsWith(prefix)) {
                found.put(payload, how);
            }
        });
        return found;
    }

    void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }

    @Override
    public void connectionLost(Throwable cause) {
        // the broker was killed; the test reconnects once it is back
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
        received.computeIfAbsent(payload, k -> new AtomicInteger()).incrementAndGet();
        arrivals.computeIfAbsent(payload, k -> Collections.synchronizedList(new ArrayList<>()))
                .add("id " + message.getId() + (message.isDuplicate() ? " dup" : "") + " on connection "
                        + connections.get());
        if (onArrival != null) {
            onArrival.accept(payload);
        }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }
}
