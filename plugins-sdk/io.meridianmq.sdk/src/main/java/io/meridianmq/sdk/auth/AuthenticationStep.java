package io.meridianmq.sdk.auth;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one step of enhanced authentication: succeed, challenge the client again, or
 * fail.
 *
 * <p>Threading: immutable. Nullness: server data is never {@code null} (empty when none).
 *
 * @since 0.1
 */
public final class AuthenticationStep {

    /** What the step decided. */
    public enum Kind {
        /** Authenticated; the server data goes to the client in CONNACK (or AUTH 0x00). */
        SUCCESS,
        /** Send the server data to the client in AUTH 0x18 and wait for its answer. */
        CONTINUE,
        /** Refused. */
        FAILURE
    }

    private final Kind kind;
    private final byte[] serverData;
    private final @Nullable String username;
    private final @Nullable String reason;
    private final Identity identity;

    private AuthenticationStep(Kind kind, byte[] serverData, @Nullable String username, @Nullable String reason) {
        this(kind, serverData, username, reason, username == null ? Identity.asPresented() : Identity.of(username));
    }

    private AuthenticationStep(Kind kind, byte[] serverData, @Nullable String username, @Nullable String reason,
            Identity identity) {
        this.kind = kind;
        this.serverData = serverData;
        this.username = username;
        this.reason = reason;
        this.identity = identity;
    }

    /** Authenticated as {@code username} (may be {@code null} to keep the CONNECT user name). */
    public static AuthenticationStep success(byte[] serverData, @Nullable String username) {
        return new AuthenticationStep(Kind.SUCCESS, Objects.requireNonNull(serverData, "serverData").clone(), username,
                null);
    }

    /**
     * Authenticated as {@code identity} (user name, roles, credentials expiry). On a
     * re-authentication the new identity replaces the old one for the rest of the connection.
     *
     * @since 1.1
     */
    public static AuthenticationStep successAs(byte[] serverData, Identity identity) {
        Objects.requireNonNull(identity, "identity");
        return new AuthenticationStep(Kind.SUCCESS, Objects.requireNonNull(serverData, "serverData").clone(),
                identity.username().orElse(null), null, identity);
    }

    /** Sends {@code challenge} to the client and waits for its answer. */
    public static AuthenticationStep challenge(byte[] challenge) {
        return new AuthenticationStep(Kind.CONTINUE, Objects.requireNonNull(challenge, "challenge").clone(), null, null);
    }

    /** Refuses the client; {@code reason} is logged, never sent. */
    public static AuthenticationStep failure(String reason) {
        return new AuthenticationStep(Kind.FAILURE, new byte[0], null, Objects.requireNonNull(reason, "reason"));
    }

    public Kind kind() {
        return kind;
    }

    /** A copy of the data for the client. */
    public byte[] serverData() {
        return serverData.clone();
    }

    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /**
     * Who the client is after a {@link Kind#SUCCESS}; {@link Identity#asPresented()} otherwise.
     *
     * @since 1.1
     */
    public Identity identity() {
        return identity;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }
}
