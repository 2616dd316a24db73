package io.meridianmq.protocol.internal;

import java.security.cert.X509Certificate;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.protocol.ListenerOptions;
import io.meridianmq.sdk.auth.Identity;
import io.netty.channel.Channel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one connection from its CONNECT to the broker's answer: the listener's connection
 * limit, the CONNECT's rules, the identity a client certificate gives, MQTT 5 enhanced
 * authentication, and the broker's decision, handed back to the {@link MqttConnection} as
 * accepted (with the CONNACK's properties) or refused.
 *
 * <p>Threading: the channel's event loop only; the broker's and the plugins' answers are moved
 * back onto it before they touch anything here.
 */
final class ConnectHandshake {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectHandshake.class);

    private final MqttConnection connection;
    private final Channel channel;
    private final Broker broker;
    private final String listenerName;
    private final ProtocolSettings settings;
    private final ListenerOptions options;
    /** Open connections, counted from accept, and the protocol layer's other counters. */
    private final ConnectionCounters counters;

    /** The CONNECT being answered (null before it arrives). Event loop. */
    private ConnectPacket packet;
    private boolean v5;
    private BrokerCapabilities capabilities;
    /** What the broker is asked to accept; gains the identity when enhanced authentication succeeds. Event loop. */
    private ConnectRequest request;
    private ClientPort port;
    /** MQTT 5 enhanced authentication, when the client asked for it (null otherwise). Event loop. */
    private EnhancedAuthentication authentication;
    /**
     * How many of the broker's answers about this connection are on their way (authentication, a
     * damped refusal): each is bounded by the plugins' timeouts, so connect_timeout waits for them. Event loop.
     */
    private int deciding;
    private final LoadLimits load;
    /** connect_timeout passed while the broker was deciding: the client gets no further turn. Event loop. */
    private boolean deadlinePassed;

    ConnectHandshake(MqttConnection connection, Channel channel, Broker broker, String listenerName,
            ProtocolSettings settings, ListenerOptions options, ConnectionCounters counters, LoadLimits load) {
        this.load = load;
        this.connection = connection;
        this.channel = channel;
        this.broker = broker;
        this.listenerName = listenerName;
        this.settings = settings;
        this.options = options;
        this.counters = counters;
    }

    /** Reads the CONNECT and starts the way to CONNACK; a CONNECT that breaks a rule is refused at once. */
    void begin(MqttConnectMessage connect, BrokerCapabilities brokerCapabilities) {
        int protocolLevel = connect.variableHeader().version();
        v5 = protocolLevel == 5;
        capabilities = brokerCapabilities;
        if (counters.open.get() > settings.maxConnections() && settings.maxConnections() >= 0) {
            connection.refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "max_connections (" + settings.maxConnections() + ") reached");
            return;
        }
        String overload = load.overloaded();
        if (overload != null) {
            counters.rateLimited("overload");
            connection.refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "the server is overloaded (" + overload + "); try again later", "server busy, try again later");
            return;
        }
        ConnectPacket c = ConnectPacket.read(connect, settings, capabilities, broker::enhancedAuthenticationAvailable);
        if (c.refusal != null) {
            if (c.refusal.violation()) {
                connection.protocolViolation(c.refusal.reason());
            } else {
                connection.refuseConnect(c.refusal.code(), c.refusal.reason());
            }
            return;
        }
        packet = c;
        String username = c.username;
        byte[] password = c.password;
        X509Certificate certificate = ClientCertificates.verified(channel);
        String certificateIdentity = null;
        if (options.identityAsUsername() || options.subjectAsUsername()) {
            certificateIdentity = ClientCertificates.identity(certificate, options.subjectAsUsername());
            if (certificateIdentity == null) {
                connection.refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5
                        : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED,
                        "no client certificate, but this listener takes the user name from it");
                return;
            }
            username = certificateIdentity;
            password = null;
        }
        request = new ConnectRequest(connect.payload().clientIdentifier(), connect.variableHeader().isCleanSession(),
                c.keepAlive, username, password, c.will, connection.remote(), listenerName, protocolLevel,
                c.sessionExpiry, c.receiveMaximum);
        if (certificate != null) {
            request = request.withClientCertificate(certificate);
        }
        if (certificateIdentity != null) {
            request = request.authenticated("x509", certificateIdentity); // the TLS handshake proved it
        }
        port = new ClientPort(channel, connection, v5, c.clientMaxPacketSize, counters);
        if (c.authMethod == null) {
            askBroker();
            return;
        }
        connection.authenticating();
        authentication = new EnhancedAuthentication(connection, this, broker, c.authMethod);
        if (!authentication.begin(client(request.clientId()), c.authData)) {
            connection.refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                    "authentication method '" + c.authMethod + "' is not available");
        }
    }

    /** The client as an enhanced authentication plugin sees it, under {@code clientId}. */
    ConnectingClient client(String clientId) {
        return new ConnectingClient(clientId, connection.remote(), listenerName, request.protocolLevel(),
                request.username(), ClientCertificates.verified(channel));
    }

    /** The client's enhanced authentication (also for re-authentication once connected), or null. */
    EnhancedAuthentication authentication() {
        return authentication;
    }

    /** Whether the broker's answer about this connection is still on its way. */
    boolean deciding() {
        return deciding > 0;
    }

    /** connect_timeout passed while the broker decides: its answer is awaited, the client's next turn is not. */
    void deadlinePassedWhileDeciding() {
        deadlinePassed = true;
    }

    // ---- what the enhanced authentication exchange asks of the handshake ----

    boolean deadlinePassed() {
        return deadlinePassed;
    }

    void decidingBegins() {
        deciding++;
    }

    void decidingEnds() {
        deciding--;
    }

    void authenticationTooSlow() {
        connection.closeWithReason("not accepted within connect_timeout (" + settings.connectTimeoutSeconds()
                + " s from accept): the AUTH exchange was still going on");
    }

    /** The exchange that began with CONNECT succeeded: the broker decides on the connection now. */
    void authenticated(String method, Identity identity) {
        request = request.authenticated(method, identity);
        askBroker();
    }

    /** The exchange that began with CONNECT failed: counted with the other failed logins, and answered as slowly. */
    void refuseLogin(String why) {
        deciding++;
        broker.enhancedAuthenticationFailed(request, authentication.method, why).whenComplete((v, e) -> connection.onEventLoop(() -> {
            deciding--;
            if (!connection.isClosed()) {
                connection.refuseConnect(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5, why,
                        "not authorized");
            }
        }));
    }

    // ---- the broker's decision ----

    private void askBroker() {
        connection.connecting();
        deciding++;
        broker.connect(request, port).whenComplete((result, failure) -> connection.onEventLoop(() -> {
            deciding--;
            answered(result, failure);
        }));
    }

    private void answered(ConnectResult result, Throwable failure) {
        if (failure != null) {
            LOG.error("Connecting client {} failed inside the broker", connection.who(), failure);
            connection.refuseConnect(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "internal error");
            return;
        }
        if (!result.accepted()) {
            connection.refuseConnect(ServerPackets.returnCode(result.code(), v5),
                    result.reason() != null ? result.reason() : result.code().name(), result.clientReason());
            return;
        }
        if (connection.isClosed()) {
            // the client went away while the broker was deciding
            result.session().disconnected(true);
            return;
        }
        MqttProperties props = !v5 ? MqttProperties.NO_PROPERTIES
                : packet.acceptedProperties(result.clientId(), settings, capabilities,
                        authentication == null ? null : authentication.method,
                        authentication == null ? new byte[0] : authentication.successData());
        connection.accepted(result, packet, props);
    }
}
