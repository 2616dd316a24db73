package io.meridianmq.auth.oidc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * RFC 7662 token introspection at the identity provider, with the broker's client credentials.
 * Answers are cached by the token's SHA-256 (the token itself is not kept): an active token
 * until its {@code exp} but at most {@code introspection_cache_seconds}, an inactive one for
 * {@code introspection_negative_cache_seconds}; the cache holds at most
 * {@code introspection_cache_size} entries, the least recently used go first.
 *
 * <p>Threading: thread-safe; {@link #check} never blocks.
 */
final class Introspection {

    private final IdentityProvider provider;
    private final OidcSettings settings;
    private final Map<String, Cached> cache;

    private record Cached(TokenCheck check, long untilMillis) {
    }

    Introspection(IdentityProvider provider) {
        this.provider = provider;
        this.settings = provider.settings();
        int max = Math.max(1, settings.introspectionCacheSize());
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > max;
            }
        };
    }

    CompletableFuture<TokenCheck> check(String token) {
        String key = sha256(token);
        long now = System.currentTimeMillis();
        synchronized (cache) {
            Cached hit = cache.get(key);
            if (hit != null && hit.untilMillis > now) {
                return CompletableFuture.completedFuture(hit.check);
            }
        }
        String form = "token=" + IdentityProvider.urlEncode(token) + "&token_type_hint=access_token";
        return provider.introspectionEndpoint()
                .thenCompose(uri -> provider.postForm(uri, form, settings.introspectionClientId(),
                        settings.introspectionClientSecret()))
                .thenApply(answer -> {
                    TokenCheck check = interpret(answer);
                    long until;
                    if (check.isValid()) {
                        until = now + settings.introspectionCacheMax().toMillis();
                        if (check.expiresAt() != null) {
                            until = Math.min(until, check.expiresAt().toEpochMilli());
                        }
                    } else {
                        until = now + settings.negativeCache().toMillis();
                    }
                    if (until > now) {
                        synchronized (cache) {
                            cache.put(key, new Cached(check, until));
                        }
                    }
                    return check;
                })
                // not cached: the next attempt asks again
                .exceptionally(failure -> TokenCheck.refused("token introspection failed: "
                        + IdentityProvider.describe(failure)));
    }

    private TokenCheck interpret(Map<String, Object> answer) {
        if (!Boolean.TRUE.equals(answer.get("active"))) {
            return TokenCheck.refused("the identity provider says the token is not active (expired, revoked or "
                    + "unknown)");
        }
        Object iss = answer.get("iss");
        if (iss != null && !settings.issuer().equals(iss)) {
            return TokenCheck.refused("introspected token has issuer '" + iss + "', expected '" + settings.issuer()
                    + "'");
        }
        if (!settings.audiences().isEmpty()) {
            java.util.List<String> aud = Claims.strings(answer, "aud");
            if (aud.stream().noneMatch(settings.audiences()::contains)) {
                return TokenCheck.refused("introspected token's audience " + aud + " is none of "
                        + settings.audiences());
            }
        }
        Instant exp = answer.get("exp") instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
        return TokenCheck.valid(answer, exp);
    }

    private static String sha256(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    int cached() {
        synchronized (cache) {
            return cache.size();
        }
    }
}
