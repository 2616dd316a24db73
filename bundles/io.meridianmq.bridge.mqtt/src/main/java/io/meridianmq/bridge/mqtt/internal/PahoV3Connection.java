package io.meridianmq.bridge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.net.ssl.SSLSocketFactory;

import io.meridianmq.sdk.message.PublishProperties;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A bridge's connection to the remote broker over MQTT 3.1.1 (Eclipse Paho 3). MQTT 3.1.1 has no
 * properties: those of a message going out are dropped.
 *
 * <p>Thread-safe (Paho's client is).
 */
final class PahoV3Connection implements RemoteConnection {

    private final BridgeSettings settings;
    private final MqttAsyncClient client;
    private final SSLSocketFactory tls;
    private volatile boolean closed;

    PahoV3Connection(BridgeSettings settings, String address, SSLSocketFactory tls, Listener listener)
            throws MqttException {
        this.settings = settings;
        this.tls = tls;
        this.client = new MqttAsyncClient((tls == null ? "tcp://" : "ssl://") + address, settings.remoteClientId(),
                new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                if (!closed) {
                    listener.lost(cause.getMessage() == null ? cause.toString() : cause.getMessage());
                }
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                int id = message.getId();
                int qos = message.getQos();
                listener.arrived(topic, message.getPayload(), qos, message.isRetained(), PublishProperties.NONE, () -> {
                    try {
                        client.messageArrivedComplete(id, qos);
                    } catch (MqttException e) {
                        // the connection went: the remote broker sends the message again
                    }
                });
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
    }

    @Override
    public CompletionStage<Void> connect() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(settings.cleanSession());
        o.setKeepAliveInterval(settings.keepAlive());
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        o.setMaxInflight(settings.maxInflight());
        if (settings.remoteUsername() != null) {
            o.setUserName(settings.remoteUsername());
        }
        if (settings.remotePassword() != null) {
            o.setPassword(settings.remotePassword().toCharArray());
        }
        if (settings.notifications()) {
            o.setWill(settings.notificationTopic(), "0".getBytes(StandardCharsets.UTF_8), 1, true);
        }
        if (tls != null) {
            o.setSocketFactory(tls);
            o.setHttpsHostnameVerificationEnabled(!settings.tls().insecure());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.connect(o, null, listener(done));
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public CompletionStage<Void> subscribe(String filter, int qos, boolean noLocal) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.subscribe(filter, qos, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getGrantedQos();
                    if (granted != null && granted.length > 0 && granted[0] == 0x80) {
                        done.completeExceptionally(new IllegalStateException("the remote broker refused the "
                                + "subscription to '" + filter + "'"));
                    } else {
                        done.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain,
            PublishProperties properties) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.publish(topic, payload, qos, retain, null, listener(done));
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(0, null, null);
            }
        } catch (MqttException e) {
            // going anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // already closed
        }
    }

    private static IMqttActionListener listener(CompletableFuture<Void> done) {
        return new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                done.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
                done.completeExceptionally(e);
            }
        };
    }
}
