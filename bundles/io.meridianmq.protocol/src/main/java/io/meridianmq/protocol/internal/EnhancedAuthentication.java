package io.meridianmq.protocol.internal;

import io.meridianmq.broker.AuthenticationExchange;
import io.meridianmq.broker.Broker;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.sdk.auth.AuthenticationStep;
import io.meridianmq.sdk.client.ClientInfo;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttReasonCodes;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's MQTT 5 enhanced authentication (AUTH packets, MQTT 5 §4.12): the exchange
 * that starts with CONNECT and ends in CONNACK, and each re-authentication after it. The plugin's
 * steps run on plugin threads (through the broker, with its timeouts and fault handling); their
 * answers come back to the event loop, where the connection goes on.
 *
 * <p>Threading: the channel's event loop only.
 */
final class EnhancedAuthentication {

    private static final Logger LOG = LoggerFactory.getLogger(EnhancedAuthentication.class);

    private final MqttConnection connection;
    /** The way from CONNECT to CONNACK this exchange is part of until the client is accepted. */
    private final ConnectHandshake handshake;
    private final Broker broker;
    /** The method the client connected with; every AUTH must name it. */
    final String method;
    private AuthenticationExchange exchange;
    /** Whether a step of {@link #exchange} is running (a client must wait for its answer). */
    private boolean stepRunning;
    private boolean reauthenticating;
    /** What the plugin sent with its success, for CONNACK. */
    private byte[] successData = new byte[0];

    EnhancedAuthentication(MqttConnection connection, ConnectHandshake handshake, Broker broker, String method) {
        this.connection = connection;
        this.handshake = handshake;
        this.broker = broker;
        this.method = method;
    }

    /** Starts the exchange with the CONNECT's authentication data; false when the method is gone. */
    boolean begin(ConnectingClient client, byte[] data) {
        exchange = broker.beginEnhancedAuthentication(method, client).orElse(null);
        if (exchange == null) {
            return false;
        }
        step(data);
        return true;
    }

    /** What the plugin sent with its success (empty when nothing), for CONNACK. */
    byte[] successData() {
        return successData;
    }

    /** AUTH from the client: the next step of an exchange, or the start of a re-authentication. */
    void onAuth(MqttMessage message, boolean connected, ConnectingClient reauthenticatingClient) {
        if (!(message.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h)) {
            connection.protocolViolation("sent AUTH outside MQTT 5");
            return;
        }
        byte reason = h.reasonCode();
        String m = PacketProperties.stringProperty(h.properties(), MqttPropertyType.AUTHENTICATION_METHOD);
        if (!method.equals(m)) {
            connection.protocolViolation("sent AUTH with method '" + m + "' but connected with '" + method + "'");
            return;
        }
        byte[] data = PacketProperties.binaryProperty(h.properties(), MqttPropertyType.AUTHENTICATION_DATA);
        if (reason == MqttReasonCodes.Auth.CONTINUE_AUTHENTICATION.byteValue() && exchange != null) {
            step(data);
        } else if (reason == MqttReasonCodes.Auth.REAUTHENTICATE.byteValue() && connected && exchange == null) {
            reauthenticating = true;
            exchange = broker.beginEnhancedAuthentication(method, reauthenticatingClient).orElse(null);
            if (exchange == null) {
                connection.serverDisconnect(DisconnectReason.NOT_AUTHORIZED, "re-authentication method '" + method
                        + "' is no longer available");
                return;
            }
            step(data);
        } else {
            connection.protocolViolation(String.format("sent AUTH with reason 0x%02X out of turn", reason & 0xFF));
        }
    }

    private void step(byte[] data) {
        if (stepRunning) {
            connection.protocolViolation("sent AUTH before the previous one was answered");
            return;
        }
        stepRunning = true;
        handshake.decidingBegins();
        exchange.step(data).whenComplete((step, failure) -> connection.onEventLoop(() -> {
            stepRunning = false;
            handshake.decidingEnds();
            if (connection.isClosed()) {
                return;
            }
            AuthenticationStep s = step;
            if (failure != null || s == null) {
                LOG.error("Enhanced authenticator '{}' failed for client {}: {}", method, connection.who(), failure);
                s = AuthenticationStep.failure("authenticator failed");
            }
            switch (s.kind()) {
                case CONTINUE -> {
                    if (handshake.deadlinePassed() && !reauthenticating) {
                        handshake.authenticationTooSlow();
                        return;
                    }
                    send(MqttReasonCodes.Auth.CONTINUE_AUTHENTICATION, s.serverData());
                }
                case SUCCESS -> succeeded(s);
                case FAILURE -> failed("enhanced authentication (" + method + ") failed: "
                        + s.reason().orElse("refused"));
            }
        }));
    }

    private void succeeded(AuthenticationStep s) {
        exchange = null;
        if (!reauthenticating) {
            successData = s.serverData();
            handshake.authenticated(method, s.identity());
            return;
        }
        reauthenticating = false;
        ClientInfo now = connection.reauthenticated(s.identity());
        LOG.info("Client {} re-authenticated with {}{}", connection.who(), method,
                now.credentialsExpireAt().map(t -> ", credentials good until " + t).orElse(""));
        send(MqttReasonCodes.Auth.SUCCESS, s.serverData());
    }

    private void failed(String why) {
        if (reauthenticating) {
            connection.serverDisconnect(DisconnectReason.NOT_AUTHORIZED, why);
        } else {
            handshake.refuseLogin(why);
        }
    }

    private void send(MqttReasonCodes.Auth reason, byte[] data) {
        connection.writeAndFlush(ServerPackets.auth(reason.byteValue() & 0xFF, method, data));
    }
}
