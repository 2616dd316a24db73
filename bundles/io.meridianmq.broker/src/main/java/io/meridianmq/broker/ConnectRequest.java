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
 */
public record ConnectRequest(String clientId, boolean cleanStart, int keepAliveSeconds, String username,
        byte[] password, WillMessage will, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
        long sessionExpirySeconds, int receiveMaximum, String authenticatedBy) {

    /** The session expiry interval that means "never" (0xFFFFFFFF). */
    public static final long NEVER_EXPIRES = 0xFFFF_FFFFL;

    /** A request not authenticated yet. */
    public ConnectRequest(String clientId, boolean cleanStart, int keepAliveSeconds, String username, byte[] password,
            WillMessage will, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
            long sessionExpirySeconds, int receiveMaximum) {
        this(clientId, cleanStart, keepAliveSeconds, username, password, will, remoteAddress, listenerName,
                protocolLevel, sessionExpirySeconds, receiveMaximum, null);
    }

    /** The same request, authenticated by enhanced authentication as {@code user}. */
    public ConnectRequest authenticated(String method, String user) {
        return new ConnectRequest(clientId, cleanStart, keepAliveSeconds, user, null, will, remoteAddress,
                listenerName, protocolLevel, sessionExpirySeconds, receiveMaximum, method);
    }

    /** The same request with another session expiry interval. */
    public ConnectRequest withSessionExpiry(long seconds) {
        return new ConnectRequest(clientId, cleanStart, keepAliveSeconds, username, password, will, remoteAddress,
                listenerName, protocolLevel, seconds, receiveMaximum, authenticatedBy);
    }

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(listenerName, "listenerName");
    }
}
