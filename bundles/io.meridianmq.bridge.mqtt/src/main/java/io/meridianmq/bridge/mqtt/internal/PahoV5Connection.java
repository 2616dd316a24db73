package io.meridianmq.bridge.mqtt.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.net.ssl.SSLSocketFactory;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A bridge's connection to the remote broker over MQTT 5 (Eclipse Paho 5): subscriptions with
 * no-local (a message the bridge sent never comes back) and retain-as-published; a message's
 * properties cross both ways.
 *
 * <p>Thread-safe (Paho's client is).
 */
final class PahoV5Connection implements RemoteConnection {

    /** Session expiry for {@code cleansession = false}: the remote keeps the bridge's session for good. */
    private static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final BridgeSettings settings;
    private final MqttAsyncClient client;
    private final SSLSocketFactory tls;
    private volatile boolean closed;

    PahoV5Connection(BridgeSettings settings, String address, SSLSocketFactory tls, Listener listener)
            throws MqttException {
        this.settings = settings;
        this.tls = tls;
        this.client = new MqttAsyncClient((tls == null ? "tcp://" : "ssl://") + address, settings.remoteClientId(),
                new MemoryPersistence());
        client.setManualAcks(true);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                if (!closed) {
                    listener.lost(response.getReasonString() != null ? response.getReasonString()
                            : response.getException() != null ? String.valueOf(response.getException().getMessage())
                                    : "reason 0x" + Integer.toHexString(response.getReturnCode()));
                }
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                int id = message.getId();
                int qos = message.getQos();
                listener.arrived(topic, message.getPayload(), qos, message.isRetained(),
                        fromPaho(message.getProperties()), () -> {
                            try {
                                client.messageArrivedComplete(id, qos);
                            } catch (MqttException e) {
                                // the connection went: the remote broker sends the message again
                            }
                        });
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
        });
    }

    @Override
    public CompletionStage<Void> connect() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(settings.cleanSession());
        o.setSessionExpiryInterval(settings.cleanSession() ? 0L : NEVER_EXPIRES);
        o.setKeepAliveInterval(settings.keepAlive());
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        if (settings.remoteUsername() != null) {
            o.setUserName(settings.remoteUsername());
        }
        if (settings.remotePassword() != null) {
            o.setPassword(settings.remotePassword().getBytes(StandardCharsets.UTF_8));
        }
        if (settings.notifications()) {
            MqttMessage will = new MqttMessage("0".getBytes(StandardCharsets.UTF_8));
            will.setQos(1);
            will.setRetained(true);
            o.setWill(settings.notificationTopic(), will);
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
        MqttSubscription s = new MqttSubscription(filter, qos);
        s.setNoLocal(noLocal);
        s.setRetainAsPublished(true);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.subscribe(new MqttSubscription[] {s}, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        done.completeExceptionally(new IllegalStateException("the remote broker refused the "
                                + "subscription to '" + filter + "' (reason 0x" + Integer.toHexString(codes[0]) + ")"));
                    } else {
                        done.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    done.completeExceptionally(e);
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos, boolean retain,
            PublishProperties properties) {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        m.setRetained(retain);
        m.setProperties(toPaho(properties));
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            client.publish(topic, m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    // 0x10 "no matching subscribers" is a success
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        done.completeExceptionally(new IllegalStateException("the remote broker did not take the "
                                + "message to '" + topic + "' (reason 0x" + Integer.toHexString(codes[0]) + ")"));
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
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(0, null, null, 0, new MqttProperties());
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

    private static MqttProperties toPaho(PublishProperties p) {
        MqttProperties m = new MqttProperties();
        if (p.utf8Payload()) {
            m.setPayloadFormat(true);
        }
        if (p.contentType() != null) {
            m.setContentType(p.contentType());
        }
        if (p.responseTopic() != null) {
            m.setResponseTopic(p.responseTopic());
        }
        if (p.correlationData() != null) {
            m.setCorrelationData(p.correlationData());
        }
        if (!p.userProperties().isEmpty()) {
            List<org.eclipse.paho.mqttv5.common.packet.UserProperty> user = new ArrayList<>();
            p.userProperties().forEach(u -> user.add(new org.eclipse.paho.mqttv5.common.packet.UserProperty(u.name(),
                    u.value())));
            m.setUserProperties(user);
        }
        return m;
    }

    private static PublishProperties fromPaho(MqttProperties m) {
        if (m == null) {
            return PublishProperties.NONE;
        }
        List<UserProperty> user = new ArrayList<>();
        if (m.getUserProperties() != null) {
            m.getUserProperties().forEach(u -> user.add(new UserProperty(u.getKey(), u.getValue())));
        }
        boolean utf8 = Boolean.TRUE.equals(m.getPayloadFormat());
        if (!utf8 && m.getContentType() == null && m.getResponseTopic() == null && m.getCorrelationData() == null
                && user.isEmpty()) {
            return PublishProperties.NONE;
        }
        return new PublishProperties(utf8, m.getContentType(), m.getResponseTopic(), m.getCorrelationData(), user);
    }

    private static MqttActionListener listener(CompletableFuture<Void> done) {
        return new MqttActionListener() {
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
