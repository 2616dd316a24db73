package io.meridianmq.broker.internal;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import io.meridianmq.sdk.auth.Identity;
import io.meridianmq.sdk.client.ClientInfo;



/**
 * The broker's {@link ClientInfo}: who a connection is, as plugins see it.
 *
 * @param roles roles from authentication (unmodifiable)
 * @param expiresAt when the credentials expire, or {@code null}
 * @param clientCertificate the verified client certificate, or {@code null}
 */
record ClientIdentity(String clientId, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
        Optional<String> username, Set<String> roles, Instant expiresAt, X509Certificate clientCertificate)
        implements ClientInfo {

    ClientIdentity(String clientId, InetSocketAddress remoteAddress, String listenerName, int protocolLevel,
            Optional<String> username) {
        this(clientId, remoteAddress, listenerName, protocolLevel, username, Set.of(), null, null);
    }

    /** The same connection, now known as {@code identity} says (after authentication). */
    ClientIdentity as(Identity identity) {
        return new ClientIdentity(clientId, remoteAddress, listenerName, protocolLevel,
                identity.username().isPresent() ? identity.username() : username, identity.roles(),
                identity.expiresAt().orElse(null), clientCertificate);
    }

    ClientIdentity withClientId(String id) {
        return new ClientIdentity(id, remoteAddress, listenerName, protocolLevel, username, roles, expiresAt,
                clientCertificate);
    }

    @Override
    public Optional<Instant> credentialsExpireAt() {
        return Optional.ofNullable(expiresAt);
    }

    @Override
    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(clientCertificate);
    }

    @Override
    public String toString() {
        return "'" + clientId + "' (" + remoteAddress.getAddress().getHostAddress() + ":" + remoteAddress.getPort()
                + username.map(u -> ", user " + u).orElse("") + ")";
    }
}
