package io.meridianmq.sdk.auth;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who an authenticator found the client to be: the user name it is known by, the roles it holds
 * and until when its credentials are good (a token's {@code exp}). Authorizers read the roles
 * from {@link io.meridianmq.sdk.client.ClientInfo#roles()}; at the expiry the broker ends the
 * connection (MQTT 5 DISCONNECT 0xA0, maximum connect time) unless the client re-authenticated
 * with AUTH first.
 *
 * <p>Threading: immutable, usable from any thread. Nullness: no method returns {@code null};
 * the factory and {@code with…} methods reject {@code null} arguments.
 *
 * @since 1.1
 */
public final class Identity {

    private static final Identity PRESENTED = new Identity(null, Set.of(), null);

    private final @Nullable String username;
    private final Set<String> roles;
    private final @Nullable Instant expiresAt;

    private Identity(@Nullable String username, Set<String> roles, @Nullable Instant expiresAt) {
        this.username = username;
        this.roles = roles;
        this.expiresAt = expiresAt;
    }

    /** The client is known by {@code username}, with no roles and credentials that do not expire. */
    public static Identity of(String username) {
        return new Identity(Objects.requireNonNull(username, "username"), Set.of(), null);
    }

    /** The client keeps the user name it presented (if any), with no roles and no expiry. */
    public static Identity asPresented() {
        return PRESENTED;
    }

    /** The same identity holding {@code roles} (in addition to none: this replaces the set). */
    public Identity withRoles(Collection<String> roles) {
        Set<String> copy = new LinkedHashSet<>();
        for (String role : Objects.requireNonNull(roles, "roles")) {
            copy.add(Objects.requireNonNull(role, "role"));
        }
        return new Identity(username, Collections.unmodifiableSet(copy), expiresAt);
    }

    /** The same identity whose credentials end at {@code instant}. */
    public Identity expiringAt(Instant instant) {
        return new Identity(username, roles, Objects.requireNonNull(instant, "instant"));
    }

    /** The user name the client is known by; empty to keep the one it presented. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** The roles the client holds (unmodifiable, possibly empty). */
    public Set<String> roles() {
        return roles;
    }

    /** When the credentials stop being good; empty when they do not expire. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    @Override
    public String toString() {
        return "Identity[" + (username == null ? "(as presented)" : username) + ", roles " + roles
                + (expiresAt == null ? "" : ", until " + expiresAt) + "]";
    }
}
