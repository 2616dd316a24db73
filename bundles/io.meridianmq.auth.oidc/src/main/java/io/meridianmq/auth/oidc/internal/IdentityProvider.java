package io.meridianmq.auth.oidc.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity provider as the broker talks to it: OIDC discovery, the JWKS (cached, refreshed
 * on schedule and, rate-limited, when a token names a key it does not know), all over
 * non-blocking HTTP with a timeout. When a refresh fails the keys known before stay in use.
 *
 * <p>Threading: thread-safe; nothing here blocks the caller.
 */
final class IdentityProvider {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityProvider.class);

    private final OidcSettings settings;
    private final HttpClient http;

    private final Object lock = new Object();
    private CompletableFuture<Map<String, Object>> discovery;
    private volatile JWKSet keys;
    private volatile long keysFetchedNanos;
    private CompletableFuture<JWKSet> refreshing;
    private long lastRefreshStartNanos = Long.MIN_VALUE / 2;

    IdentityProvider(OidcSettings settings, Executor executor) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(settings.httpTimeout()).executor(executor)
                // redirects are followed here, and only on the same origin (see send)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    OidcSettings settings() {
        return settings;
    }

    /** The discovery document; fetched once, fetched again after a failure. */
    CompletableFuture<Map<String, Object>> discovery() {
        synchronized (lock) {
            if (discovery == null || discovery.isCompletedExceptionally()) {
                URI uri = URI.create(settings.issuer() + "/.well-known/openid-configuration");
                discovery = getJson(uri).whenComplete((doc, failure) -> {
                    if (failure != null) {
                        LOG.warn("OIDC discovery at {} failed: {}", uri, describe(failure));
                    }
                });
            }
            return discovery;
        }
    }

    /** Where the keys are: {@code jwks_uri} from the settings, else from discovery. */
    CompletableFuture<URI> jwksUri() {
        if (settings.jwksUri() != null) {
            return CompletableFuture.completedFuture(settings.jwksUri());
        }
        return discovery().thenApply(doc -> required(doc, "jwks_uri"));
    }

    /** Where tokens are introspected: {@code introspection_endpoint} from the settings, else discovery. */
    CompletableFuture<URI> introspectionEndpoint() {
        if (settings.introspectionEndpoint() != null) {
            return CompletableFuture.completedFuture(settings.introspectionEndpoint());
        }
        return discovery().thenApply(doc -> required(doc, "introspection_endpoint"));
    }

    private URI required(Map<String, Object> doc, String key) {
        Object v = doc.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalStateException("the discovery document of " + settings.issuer() + " has no " + key);
        }
        URI uri = URI.create(s);
        try {
            OidcSettings.requireSafe(uri, "the discovery document's " + key);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage());
        }
        return uri;
    }

    /**
     * The keys: the cached set while it is fresh, else a refresh (falling back to the cached set
     * when the refresh fails).
     */
    CompletableFuture<JWKSet> keys() {
        JWKSet known = keys;
        if (known != null && System.nanoTime() - keysFetchedNanos < settings.jwksRefresh().toNanos()) {
            return CompletableFuture.completedFuture(known);
        }
        return refresh(false);
    }

    /**
     * Fetches the keys again. With {@code rateLimited} (a token named an unknown key), at most
     * one fetch per {@code jwks_min_refresh_seconds}: a flood of tokens with made-up key ids
     * cannot make the broker hammer the identity provider.
     */
    CompletableFuture<JWKSet> refresh(boolean rateLimited) {
        synchronized (lock) {
            if (refreshing != null && !refreshing.isDone()) {
                return refreshing;
            }
            long now = System.nanoTime();
            if (rateLimited && keys != null && now - lastRefreshStartNanos < settings.jwksMinRefreshInterval().toNanos()) {
                return CompletableFuture.completedFuture(keys);
            }
            lastRefreshStartNanos = now;
            JWKSet previous = keys;
            refreshing = jwksUri().thenCompose(this::getText).thenApply(text -> {
                try {
                    JWKSet set = JWKSet.parse(text);
                    keys = set;
                    keysFetchedNanos = System.nanoTime();
                    LOG.info("Keys of {}: {} loaded", settings.issuer(), set.getKeys().size());
                    return set;
                } catch (ParseException e) {
                    throw new IllegalStateException("the JWKS of " + settings.issuer() + " is not a key set: "
                            + e.getMessage());
                }
            }).exceptionally(failure -> {
                if (previous == null) {
                    throw new IllegalStateException("cannot load the keys of " + settings.issuer() + ": "
                            + describe(failure));
                }
                LOG.warn("Refreshing the keys of {} failed ({}); the {} key(s) loaded before stay in use",
                        settings.issuer(), describe(failure), previous.getKeys().size());
                return previous;
            });
            return refreshing;
        }
    }

    /** POSTs a form with HTTP basic client authentication; the JSON answer. */
    CompletableFuture<Map<String, Object>> postForm(URI uri, String form, String clientId, String secret) {
        String basic = java.util.Base64.getEncoder().encodeToString((urlEncode(clientId) + ":" + urlEncode(secret))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.httpTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return send(request).thenApply(IdentityProvider::parseJson);
    }

    static String urlEncode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private CompletableFuture<Map<String, Object>> getJson(URI uri) {
        return getText(uri).thenApply(IdentityProvider::parseJson);
    }

    private CompletableFuture<String> getText(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(settings.httpTimeout()).header("Accept", "application/json")
                .GET().build());
    }

    private CompletableFuture<String> send(HttpRequest request) {
        return send(request, 0);
    }

    /**
     * Sends {@code request}, following up to 3 redirects that stay on the same scheme, host and
     * port: a redirect elsewhere (which would carry the broker's client secret or a token to
     * another host) is a failure with a message saying where it pointed.
     */
    private CompletableFuture<String> send(HttpRequest request, int redirects) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenCompose(response -> {
            int status = response.statusCode();
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = response.headers().firstValue("Location").orElse("");
                URI target = request.uri().resolve(location);
                if (!sameOrigin(request.uri(), target)) {
                    throw new IllegalStateException(request.method() + " " + request.uri() + " redirected to "
                            + target + ", another host: not followed");
                }
                if (redirects >= 3) {
                    throw new IllegalStateException(request.method() + " " + request.uri() + ": too many redirects");
                }
                HttpRequest.Builder next = HttpRequest.newBuilder(target).timeout(settings.httpTimeout());
                request.headers().map().forEach((name, values) -> values.forEach(v -> next.header(name, v)));
                boolean keepBody = status == 307 || status == 308;
                next.method(keepBody ? request.method() : "GET",
                        keepBody ? request.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody())
                                : HttpRequest.BodyPublishers.noBody());
                return send(next.build(), redirects + 1);
            }
            if (status / 100 != 2) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered HTTP " + status);
            }
            return CompletableFuture.completedFuture(response.body());
        });
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static Map<String, Object> parseJson(String text) {
        try {
            return JSONObjectUtils.parse(text);
        } catch (ParseException e) {
            throw new IllegalStateException("not a JSON object: " + e.getMessage());
        }
    }

    /** A failure as one line: the cause's message, "timed out", or "connection refused". */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.net.http.HttpTimeoutException) {
            return "no answer within the HTTP timeout";
        }
        if (t instanceof java.net.ConnectException) {
            return "cannot connect (" + (t.getMessage() == null ? "refused" : t.getMessage()) + ")";
        }
        if (t instanceof IOException) {
            return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
