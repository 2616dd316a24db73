package io.meridianmq.broker.internal;

import java.net.InetSocketAddress;
import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

/** The broker's {@link ClientInfo}: who a connection is, as plugins see it. */
record ClientIdentity(String clientId, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
        Optional<String> username) implements ClientInfo {

    @Override
    public String toString() {
        return "'" + clientId + "' (" + remoteAddress.getAddress().getHostAddress() + ":" + remoteAddress.getPort()
                + username.map(u -> ", user " + u).orElse("") + ")";
    }
}
