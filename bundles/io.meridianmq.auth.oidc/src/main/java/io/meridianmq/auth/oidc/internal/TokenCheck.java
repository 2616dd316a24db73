package io.meridianmq.auth.oidc.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What checking one token found: a valid token with its claims, or the reason it is refused.
 *
 * @param claims the token's claims (JSON as maps and lists) when valid, else null
 * @param expiresAt the token's {@code exp}, or null when it has none
 * @param refusal why the token is refused, or null when it is valid
 */
record TokenCheck(Map<String, Object> claims, Instant expiresAt, String refusal) {

    static TokenCheck valid(Map<String, Object> claims, Instant expiresAt) {
        return new TokenCheck(claims, expiresAt, null);
    }

    static TokenCheck refused(String why) {
        return new TokenCheck(null, null, why);
    }

    boolean isValid() {
        return refusal == null;
    }

    /** The roles found at the configured claim paths. */
    List<String> roles(List<String> paths) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (String path : paths) {
            out.addAll(Claims.strings(claims, path));
        }
        return List.copyOf(out);
    }
}
