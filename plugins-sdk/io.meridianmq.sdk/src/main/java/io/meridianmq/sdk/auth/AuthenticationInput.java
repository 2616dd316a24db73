package io.meridianmq.sdk.auth;

import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The credentials a client presented in CONNECT.
 *
 * <p>Threading: immutable, readable from any thread. Nullness: no method returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface AuthenticationInput {

    /** The connecting client. */
    ClientInfo client();

    /** The user name from CONNECT, if any. */
    Optional<String> username();

    /** A copy of the password bytes from CONNECT, if any. */
    Optional<byte[]> password();
}
