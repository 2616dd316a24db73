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

    /**
     * Who owns a session this client makes: its user name, or "anonymous". Stored with
     * persistent sessions; a CONNECT with another owner key cannot take the session over.
     */
    String ownerKey() {
        return username.map(u -> "user:" + u).orElse("anonymous");
    }

    /** An owner key as an operator reads it in the log. */
    static String describeOwner(String ownerKey) {
        return ownerKey.startsWith("user:") ? "user '" + ownerKey.substring(5) + "'" : ownerKey;
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
