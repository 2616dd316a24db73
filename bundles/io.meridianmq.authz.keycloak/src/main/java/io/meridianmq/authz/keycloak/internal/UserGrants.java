package io.meridianmq.authz.keycloak.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What Keycloak said, at one sync: for each user, the grants held, spelled {@code role:<name>}
 * (effective realm roles), {@code client-role:<client>:<role>} and {@code group:<path>}.
 * Immutable: a sync builds a new one and swaps it in.
 *
 * @param byUser grants per user name
 * @param at when the sync finished
 */
record UserGrants(Map<String, Set<String>> byUser, Instant at) {

    static final UserGrants NONE = new UserGrants(Map.of(), Instant.EPOCH);

    Set<String> of(String username) {
        return username == null ? Set.of() : byUser.getOrDefault(username, Set.of());
    }
}
