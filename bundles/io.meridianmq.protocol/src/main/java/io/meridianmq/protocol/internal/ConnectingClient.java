package io.meridianmq.protocol.internal;

import java.net.InetSocketAddress;
import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

/** The client as enhanced authentication plugins see it while it is still connecting. */
record ConnectingClient(String clientId, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
        String user, java.security.cert.X509Certificate clientCertificate) implements ClientInfo {

    @Override
    public Optional<java.security.cert.X509Certificate> certificate() {
        return Optional.ofNullable(clientCertificate);
    }

    @Override
    public Optional<String> username() {
        return Optional.ofNullable(user);
    }
}
