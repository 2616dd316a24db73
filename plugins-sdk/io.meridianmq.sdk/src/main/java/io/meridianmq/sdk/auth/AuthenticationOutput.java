package io.meridianmq.sdk.auth;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What an {@link Authenticator} decides. Call one of the decision methods once; when none is
 * called, the decision is "next" (ask the next authenticator).
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: arguments must not be {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface AuthenticationOutput extends AsyncOutput {

    /** Accept the client with the user name it presented. */
    void allow();

    /** Accept the client and know it as {@code username} (e.g. a certificate's common name). */
    void allowAs(String username);

    /**
     * Accept the client as {@code identity}: its user name (or the one presented), its roles and
     * the expiry of its credentials. (The default, for test doubles written against 1.0, keeps
     * only the user name; the broker's implementation keeps everything.)
     *
     * @since 1.1
     */
    default void allow(Identity identity) {
        if (identity.username().isPresent()) {
            allowAs(identity.username().get());
        } else {
            allow();
        }
    }

    /** Refuse the client; {@code reason} is logged (never sent to the client). */
    void deny(String reason);

    /** No opinion: ask the next authenticator (the default). */
    void next();
}
