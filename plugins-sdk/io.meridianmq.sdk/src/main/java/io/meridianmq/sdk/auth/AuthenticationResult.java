package io.meridianmq.sdk.auth;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of an {@link Authenticator}.
 *
 * <p>Threading: immutable. Nullness: {@link #reason()} is empty unless a reason was given.
 *
 * @since 0.1
 */
public final class AuthenticationResult {

    private static final AuthenticationResult ALLOW = new AuthenticationResult(Decision.ALLOW, null, null);
    private static final AuthenticationResult NEXT = new AuthenticationResult(Decision.NEXT, null, null);

    private final Decision decision;
    private final String reason;
    private final String username;

    private AuthenticationResult(Decision decision, String reason, String username) {
        this.decision = decision;
        this.reason = reason;
        this.username = username;
    }

    /** Accept the client with the user name it presented. */
    public static AuthenticationResult allow() {
        return ALLOW;
    }

    /**
     * Accept the client and give it this user name (for example a certificate's common name)
     * for authorization and logs.
     */
    public static AuthenticationResult allowAs(String username) {
        return new AuthenticationResult(Decision.ALLOW, null, Objects.requireNonNull(username, "username"));
    }

    /** Refuse the client; the reason is logged by the broker (never sent to the client). */
    public static AuthenticationResult deny(String reason) {
        return new AuthenticationResult(Decision.DENY, Objects.requireNonNull(reason, "reason"), null);
    }

    /** Let the next authenticator decide. */
    public static AuthenticationResult next() {
        return NEXT;
    }

    public Decision decision() {
        return decision;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /** The user name the client is known by from now on, when the authenticator changed it. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    @Override
    public String toString() {
        return decision + (reason == null ? "" : " (" + reason + ")");
    }
}
