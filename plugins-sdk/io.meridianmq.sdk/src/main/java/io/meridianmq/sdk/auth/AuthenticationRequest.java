package io.meridianmq.sdk.auth;

import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The credentials a client presented in its CONNECT packet.
 *
 * <p>Threading: immutable, may be read from any thread. Nullness: no method returns
 * {@code null}.
 *
 * @since 0.1
 */
@ProviderType
public interface AuthenticationRequest {

    /** The connecting client; its {@link ClientInfo#username()} is the presented user name. */
    ClientInfo client();

    /** The user name from CONNECT, if the client sent one. */
    Optional<String> username();

    /** A copy of the password bytes from CONNECT, if the client sent one. */
    Optional<byte[]> password();
}
