package io.meridianmq.auth.oidc.internal;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JWSAlgorithm;

/**
 * {@code etc/io.meridianmq.auth.oidc.cfg}, read and checked. A bad value is a clear message
 * naming the key; nothing half-configured is applied.
 */
record OidcSettings(
        String issuer,
        URI jwksUri,
        URI introspectionEndpoint,
        Set<String> audiences,
        Set<JWSAlgorithm> algorithms,
        Duration clockSkew,
        String usernameClaim,
        boolean usernameMustMatch,
        String clientIdPattern,
        List<String> roleClaims,
        boolean enforceExpiry,
        Introspect introspect,
        String introspectionClientId,
        String introspectionClientSecret,
        int introspectionCacheSize,
        Duration introspectionCacheMax,
        Duration negativeCache,
        Duration jwksRefresh,
        Duration jwksMinRefreshInterval,
        Duration httpTimeout,
        String enhancedMethod,
        CertificateRule clientCertificate) {

    /** Which tokens go to the identity provider's introspection endpoint. */
    enum Introspect { NEVER, OPAQUE, ALWAYS }

    /** What a client certificate (mutual TLS) must be, next to the token. */
    enum CertificateRule {
        /** Not looked at. */
        IGNORE,
        /** A verified client certificate must be there. */
        REQUIRED,
        /** It must be there and its CN must equal the user name from the token. */
        MUST_MATCH
    }

    static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256,
            JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);

    static OidcSettings from(Map<String, ?> config) {
        Reader r = new Reader(config);
        String issuer = r.string("issuer", "");
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException(r.file + ": issuer is not set (e.g. issuer = "
                    + "http://127.0.0.1:8080/realms/meridian)");
        }
        issuer = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI issuerUri;
        try {
            issuerUri = URI.create(issuer);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(r.file + ": issuer = '" + issuer + "' is not a URL");
        }
        requireSafe(issuerUri, r.file + ": issuer");
        List<String> audience = r.list("audience", "");
        boolean audienceCheck = r.bool("audience_check", true);
        if (audience.isEmpty() && audienceCheck) {
            throw new IllegalArgumentException(r.file + ": audience is empty, so a token the issuer made for any other "
                    + "client or service would be accepted here: set audience = <this broker's client id> (or "
                    + "several, comma-separated), or write audience_check = false to accept any audience on purpose");
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (String a : r.list("algorithms", "RS256, PS256, ES256, EdDSA")) {
            JWSAlgorithm alg = JWSAlgorithm.parse(a);
            if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
                throw new IllegalArgumentException(r.file + ": algorithms: " + a + " is refused: an HMAC key is a "
                        + "shared secret, and the issuer's published keys must never serve as one");
            }
            if (!DEFAULT_ALGORITHMS.contains(alg) && !JWSAlgorithm.Family.SIGNATURE.contains(alg)) {
                throw new IllegalArgumentException(r.file + ": algorithms: unknown signature algorithm '" + a + "'");
            }
            algorithms.add(alg);
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException(r.file + ": algorithms is empty");
        }
        Introspect introspect = r.choice("introspect", Introspect.class, "never");
        String clientId = r.string("client_id", "");
        String secret = r.string("client_secret", "");
        if (introspect != Introspect.NEVER && (clientId.isEmpty() || secret.isEmpty())) {
            throw new IllegalArgumentException(r.file + ": introspect = " + introspect.name().toLowerCase(Locale.ROOT)
                    + " needs client_id and client_secret (the broker's client at the identity provider)");
        }
        URI jwks = r.uri("jwks_uri");
        URI introspection = r.uri("introspection_endpoint");
        if (jwks != null) {
            requireSafe(jwks, r.file + ": jwks_uri");
        }
        if (introspection != null) {
            requireSafe(introspection, r.file + ": introspection_endpoint");
        }
        return new OidcSettings(issuer,
                jwks,
                introspection,
                audienceCheck ? new LinkedHashSet<>(audience) : Set.of(),
                Set.copyOf(algorithms),
                Duration.ofSeconds(r.number("clock_skew", 30)),
                r.string("username_claim", "preferred_username"),
                r.bool("username_must_match", true),
                r.string("client_id_pattern", ""),
                r.list("role_claims", "realm_access.roles"),
                r.choice("expiry", Expiry.class, "disconnect") == Expiry.DISCONNECT,
                introspect, clientId, secret,
                (int) r.number("introspection_cache_size", 10_000),
                Duration.ofSeconds(r.number("introspection_cache_seconds", 300)),
                Duration.ofSeconds(r.number("introspection_negative_cache_seconds", 10)),
                Duration.ofSeconds(r.number("jwks_refresh_seconds", 900)),
                Duration.ofSeconds(r.number("jwks_min_refresh_seconds", 10)),
                Duration.ofMillis(r.number("http_timeout_ms", 5_000)),
                r.string("enhanced_method", "OAUTHBEARER"),
                r.choice("client_certificate", CertificateRule.class, "ignore"));
    }

    private enum Expiry { DISCONNECT, IGNORE }

    /**
     * An identity provider's URL must be https, or http on this machine only: keys, discovery
     * and introspection answers over plain http from elsewhere could be forged on the way, and
     * with them any token.
     *
     * @param what names the setting (or the discovery document's field) for the message
     */
    static void requireSafe(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("https")) {
            return;
        }
        if (scheme.equals("http") && isLoopback(uri.getHost())) {
            return;
        }
        throw new IllegalArgumentException(what + " = " + uri + " must be https:// (http:// only for an identity "
                + "provider on this machine: 127.0.0.1, ::1 or localhost)");
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost") || h.equals("::1") || h.matches("127\\.\\d+\\.\\d+\\.\\d+");
    }

    /** Typed reads of the configuration with messages that name the file and the key. */
    private static final class Reader {
        final Map<String, ?> config;
        final String file;

        Reader(Map<String, ?> config) {
            this.config = config;
            Object f = config.get("felix.fileinstall.filename");
            this.file = f == null ? "io.meridianmq.auth.oidc" : f.toString();
        }

        String string(String key, String fallback) {
            Object v = config.get(key);
            return v == null ? fallback : v.toString().trim();
        }

        List<String> list(String key, String fallback) {
            List<String> out = new ArrayList<>();
            for (String part : string(key, fallback).split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
            return out;
        }

        long number(String key, long fallback) {
            String v = string(key, "");
            if (v.isEmpty()) {
                return fallback;
            }
            try {
                long n = Long.parseLong(v);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(file + ": " + key + " = '" + v + "' is not a whole number >= 0");
            }
        }

        boolean bool(String key, boolean fallback) {
            String v = string(key, "");
            if (v.isEmpty()) {
                return fallback;
            }
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException(file + ": " + key + " = '" + v + "': use true or false");
            }
            return Boolean.parseBoolean(v);
        }

        URI uri(String key) {
            String v = string(key, "");
            if (v.isEmpty()) {
                return null;
            }
            try {
                return URI.create(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + key + " = '" + v + "' is not a URL");
            }
        }

        <E extends Enum<E>> E choice(String key, Class<E> type, String fallback) {
            String v = string(key, fallback);
            for (E e : type.getEnumConstants()) {
                if (e.name().replace('_', '-').equalsIgnoreCase(v) || e.name().equalsIgnoreCase(v)) {
                    return e;
                }
            }
            StringBuilder allowed = new StringBuilder();
            for (E e : type.getEnumConstants()) {
                allowed.append(allowed.length() == 0 ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
            }
            throw new IllegalArgumentException(file + ": " + key + " = '" + v + "': use " + allowed);
        }
    }
}
