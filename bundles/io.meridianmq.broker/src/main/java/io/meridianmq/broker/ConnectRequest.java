package io.meridianmq.broker;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a client asked for in CONNECT, in protocol-neutral form.
 *
 * @param clientId the client identifier; may be empty (the broker then assigns one)
 * @param cleanSession MQTT 3 clean session / MQTT 5 clean start
 * @param keepAliveSeconds the keep alive the client asked for (0 = none)
 * @param username user name, or {@code null}
 * @param password password bytes, or {@code null}
 * @param will the will message, or {@code null}
 * @param remoteAddress where the client connects from
 * @param listenerName the accepting listener
 * @param protocolLevel 3, 4 or 5
 */
public record ConnectRequest(String clientId, boolean cleanSession, int keepAliveSeconds, String username,
        byte[] password, WillMessage will, InetSocketAddress remoteAddress, String listenerName, int protocolLevel) {

    public ConnectRequest {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(listenerName, "listenerName");
    }
}
