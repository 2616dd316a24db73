package io.meridianmq.e2e;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttMessage;

/** Collects what a Paho client receives, so that tests can wait for it instead of sleeping. */
final class Received implements MqttCallback {

    record Message(String topic, String payload, int qos, boolean retained, boolean duplicate, int id) {
    }

    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<Throwable> lost = new LinkedBlockingQueue<>();

    @Override
    public void connectionLost(Throwable cause) {
        lost.add(cause == null ? new RuntimeException("connection lost") : cause);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        messages.add(new Message(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.getQos(),
                message.isRetained(), message.isDuplicate(), message.getId()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
    }

    /** The next message, waiting up to 10 s; fails if none comes. */
    Message next() throws InterruptedException {
        Message m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message arrived within 10 s");
        }
        return m;
    }

    /** The next message if one is already there or arrives within {@code millis}. */
    Message poll(long millis) throws InterruptedException {
        return messages.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Waits up to 10 s for the connection to be lost; fails if it is not. */
    Throwable awaitLost() throws InterruptedException {
        Throwable t = lost.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("the connection was not lost within 10 s");
        }
        return t;
    }

    boolean isLost() {
        return !lost.isEmpty();
    }
}
