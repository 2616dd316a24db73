package io.meridianmq.broker;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a client asked for in CONNECT, in protocol-neutral form.
 *
 * @param clientId the client identifier; may be empty (the broker then assigns one)
 * @param cleanStart MQTT 3 clean session / MQTT 5 clean start
 * @param keepAliveSeconds the keep alive in force (0 = none)
 * @param username user name, or {@code null}
 * @param password password bytes, or {@code null}
 * @param will the will message, or {@code null}
 * @param remoteAddress where the client connects from
 * @param listenerName the accepting listener
 * @param protocolLevel 3, 4 or 5
 * @param sessionExpirySeconds how long the session outlives the connection: 0 = not at all,
 *        {@link #NEVER_EXPIRES} = forever (MQTT 3 clean session 0)
 * @param receiveMaximum how many QoS 1/2 messages the client accepts in flight (65535 if unsaid)
 * @param authenticatedBy the MQTT 5 enhanced authentication method that already authenticated
 *        the client (the simple authenticators are then skipped), or {@code null}
 * @param identity who that method found the client to be (roles, credentials expiry), or
 *        {@code null} when {@code authenticatedBy} is {@code null}
 * @param clientCertificate the client certificate the TLS handshake verified, or {@code null}
 */
public record ConnectRequest(String clientId, boolean cleanStart, int keepAliveSeconds, String username,
        byte[] password, WillMessage will, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
        long sessionExpirySeconds, int receiveMaximum, String authenticatedBy, io.meridianmq.sdk.auth.Identity identity,
        java.security.cert.X509Certificate clientCertificate) {

    /** The session expiry interval that means "never" (0xFFFFFFFF). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    /** A request not authenticated yet. */
    public ConnectRequest(String clientId, boolean cleanStart, int keepAliveSeconds, String username, byte[] password,
            WillMessage will, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
            long sessionExpirySeconds, int receiveMaximum) {
        this(clientId, cleanStart, keepAliveSeconds, username, password, will, remoteAddress, listenerName,
                protocolLevel, sessionExpirySeconds, receiveMaximum, null, null, null);
    }

    /** The same request, authenticated by enhanced authentication as {@code user}. */
    public ConnectRequest authenticated(String method, String user) {
        return authenticated(method, user == null ? io.meridianmq.sdk.auth.Identity.asPresented()
                : io.meridianmq.sdk.auth.Identity.of(user));
    }

    /** The same request, authenticated by {@code method} as {@code who}. */
    public ConnectRequest authenticated(String method, io.meridianmq.sdk.auth.Identity who) {
        return new ConnectRequest(clientId, cleanStart, keepAliveSeconds, who.username().orElse(username), null, will,
                remoteAddress, listenerName, protocolLevel, sessionExpirySeconds, receiveMaximum, method, who,
                clientCertificate);
    }

    /** The same request, from a client that presented {@code certificate} in the TLS handshake. */
    public ConnectRequest withClientCertificate(java.security.cert.X509Certificate certificate) {
        return new ConnectRequest(clientId, cleanStart, keepAliveSeconds, username, password, will, remoteAddress,
                listenerName, protocolLevel, sessionExpirySeconds, receiveMaximum, authenticatedBy, identity,
                certificate);
    }

    /** The same request with another session expiry interval. */
    public ConnectRequest withSessionExpiry(long seconds) {
        return new ConnectRequest(clientId, cleanStart, keepAliveSeconds, username, password, will, remoteAddress,
                listenerName, protocolLevel, seconds, receiveMaximum, authenticatedBy, identity, clientCertificate);
    }

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(listenerName, "listenerName");
    }
}
