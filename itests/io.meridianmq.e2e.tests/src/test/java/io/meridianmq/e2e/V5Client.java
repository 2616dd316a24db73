package io.meridianmq.e2e;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttPingSender;
import org.eclipse.paho.mqttv5.client.internal.ClientComms;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** An Eclipse Paho MQTT 5 client with what it receives collected for tests to wait on. */
final class V5Client implements MqttCallback, AutoCloseable {

    record Received(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }
    }

    private static final long WAIT = 10_000;

    final MqttAsyncClient paho;
    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();

    V5Client(String uri, String clientId) throws MqttException {
        this(uri, clientId, false);
    }

    /** @param silent when true the client never sends PINGREQ (to let keep alive expire) */
    V5Client(String uri, String clientId, boolean silent) throws MqttException {
        paho = silent ? new MqttAsyncClient(uri, clientId, new MemoryPersistence(), new SilentPingSender(), null)
                : new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        paho.setCallback(this);
    }

    static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setConnectionTimeout(10);
        return o;
    }

    IMqttToken connect(MqttConnectionOptions options) throws MqttException {
        IMqttToken t = paho.connect(options);
        t.waitForCompletion(WAIT);
        return t;
    }

    IMqttToken connect() throws MqttException {
        return connect(options());
    }

    IMqttToken subscribe(MqttSubscription... subscriptions) throws MqttException {
        IMqttToken t = paho.subscribe(subscriptions);
        t.waitForCompletion(WAIT);
        return t;
    }

    IMqttToken subscribe(MqttProperties properties, MqttSubscription... subscriptions) throws MqttException {
        IMqttToken t = paho.subscribe(subscriptions, null, null, properties);
        t.waitForCompletion(WAIT);
        return t;
    }

    static MqttSubscription sub(String filter, int qos) {
        return new MqttSubscription(filter, qos);
    }

    IMqttToken publish(String topic, String payload, int qos, boolean retain) throws MqttException {
        return publish(topic, message(payload, qos, retain));
    }

    IMqttToken publish(String topic, MqttMessage message) throws MqttException {
        IMqttToken t = paho.publish(topic, message);
        t.waitForCompletion(WAIT);
        return t;
    }

    static MqttMessage message(String payload, int qos, boolean retain) {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(qos);
        m.setRetained(retain);
        return m;
    }

    /** The next message, waiting up to 10 s; fails if none comes. */
    Received next() throws InterruptedException {
        Received r = messages.poll(WAIT, TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no message arrived within 10 s");
        }
        return r;
    }

    Received poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** The DISCONNECT (or loss) the broker ended the connection with, waiting up to 10 s. */
    MqttDisconnectResponse awaitDisconnect() throws InterruptedException {
        MqttDisconnectResponse r = disconnects.poll(WAIT, TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("the broker did not end the connection within 10 s");
        }
        return r;
    }

    void disconnect() throws MqttException {
        paho.disconnect().waitForCompletion(WAIT);
    }

    /** Drops the connection without DISCONNECT, as a crashed device would. */
    void drop() throws MqttException {
        paho.disconnectForcibly(0, 1000, false);
    }

    @Override
    public void close() {
        try {
            if (paho.isConnected()) {
                paho.disconnect(0).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            // already gone
        }
        try {
            paho.close(true);
        } catch (MqttException e) {
            // already closed
        }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
        disconnects.add(response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Received(topic, message));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
    }

    /** Never pings: the client falls silent as a frozen device would. */
    static final class SilentPingSender implements MqttPingSender {
        @Override
        public void init(ClientComms comms) {
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }

        @Override
        public void schedule(long delayInMilliseconds) {
        }
    }
}
