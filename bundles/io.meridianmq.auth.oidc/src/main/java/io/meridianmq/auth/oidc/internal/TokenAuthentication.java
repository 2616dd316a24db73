package io.meridianmq.auth.oidc.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.auth.AuthenticationStep;
import io.meridianmq.sdk.auth.Authenticator;
import io.meridianmq.sdk.auth.EnhancedAuthentication;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.auth.Identity;
import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients by an OAuth 2.0 access token: a JWT in the CONNECT password (checked
 * against the issuer's keys), an opaque token (introspected, when {@code introspect} says so),
 * or the token in MQTT 5 enhanced authentication ({@code enhanced_method}, default
 * {@code OAUTHBEARER}; an AUTH re-authentication with a fresh token keeps the connection past
 * the old token's expiry). The token's claims give the user name, the roles and the expiry.
 *
 * <p>A password that is not a JWT is left to the next authenticator (the password file, a
 * third-party plugin), so one listener serves both. Opaque tokens are introspected by a second,
 * low-ranked link ({@link OpaqueTokens}, ranking 500) that sees only what the password file and
 * the other authenticators left: a password-file user's password is never sent to the identity
 * provider. Configured by
 * {@code etc/io.meridianmq.auth.oidc.cfg}; a change builds a new component (the broker picks it
 * up at once, connected clients stay).
 */
@Component(configurationPid = "io.meridianmq.auth.oidc", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        property = "service.ranking:Integer=2000")
public class TokenAuthentication implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthentication.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    // written by SCR's activate/modified/deactivate (one at a time), read by plugin threads
    private volatile OidcSettings settings;
    private volatile ExecutorService http;
    private volatile IdentityProvider provider;
    private volatile JwtValidator jwts;
    private volatile Introspection introspection;
    private BundleContext context;
    private ServiceRegistration<EnhancedAuthenticator> enhanced;
    private ServiceRegistration<Authenticator> opaque;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        configure(config);
    }

    @Modified
    void modified(Map<String, Object> config) {
        configure(config);
    }

    /**
     * Applies a configuration, or refuses it with the reason, keeping the one in force (none at
     * first: then no token is accepted until the file is fixed). Refusing here rather than failing
     * the component keeps it alive, so the next edit of the file applies at once.
     */
    private void configure(Map<String, Object> config) {
        OidcSettings next;
        try {
            next = OidcSettings.from(config);
        } catch (IllegalArgumentException refused) {
            OidcSettings current = settings;
            LOG.error("{}; {}", refused.getMessage(), current == null
                    ? "token authentication stays off until the file is fixed"
                    : "keeping the configuration in force (issuer " + current.issuer() + ")");
            return;
        }
        stop();
        start(next);
    }

    private void start(OidcSettings next) {
        settings = next;
        // HTTP answers are handled here, never on a broker or network thread
        http = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "meridian-oidc-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        provider = new IdentityProvider(settings, http);
        jwts = new JwtValidator(provider);
        introspection = new Introspection(provider);
        if (settings.introspect() != OidcSettings.Introspect.NEVER) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Constants.SERVICE_RANKING, OpaqueTokens.RANKING);
            props.put(Constants.SERVICE_DESCRIPTION, "OAuth 2.0 opaque tokens, introspected (" + settings.issuer() + ")");
            opaque = context.registerService(Authenticator.class, new OpaqueTokens(), props);
        }
        if (!settings.enhancedMethod().isEmpty()) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put(Constants.SERVICE_DESCRIPTION, "OAuth 2.0 bearer token (" + settings.issuer() + ")");
            enhanced = context.registerService(EnhancedAuthenticator.class, new BearerMethod(), props);
        }
        LOG.info("OAuth 2.0 / OIDC authentication for issuer {}: algorithms {}, audience {}, user name from '{}'{}, "
                + "roles from {}, introspection {}, token expiry {}, enhanced method {}", settings.issuer(),
                settings.algorithms(), settings.audiences().isEmpty() ? "(any)" : settings.audiences(),
                settings.usernameClaim(), settings.usernameMustMatch() ? " (must match)" : "", settings.roleClaims(),
                settings.introspect().name().toLowerCase(java.util.Locale.ROOT),
                settings.enforceExpiry() ? "ends the connection" : "ignored",
                settings.enhancedMethod().isEmpty() ? "(off)" : settings.enhancedMethod());
        // warm up: discovery and keys are there before the first client needs them
        provider.keys().exceptionally(failure -> null);
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private void stop() {
        if (opaque != null) {
            try {
                opaque.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
            opaque = null;
        }
        if (enhanced != null) {
            try {
                enhanced.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
            enhanced = null;
        }
        if (http != null) {
            http.shutdownNow();
        }
        settings = null;
    }

    /** The longest a client waits for the identity provider: discovery, then keys (or introspection). */
    private Duration patience() {
        return settings.httpTimeout().multipliedBy(2).plusSeconds(1);
    }

    @Override
    public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
        Optional<byte[]> password = input.password();
        if (password.isEmpty() || settings == null) {
            return; // no token: the next authenticator decides
        }
        String token = new String(password.get(), StandardCharsets.UTF_8).trim();
        if (!JwtValidator.looksLikeJwt(token)) {
            return; // a plain password (or an opaque token, for OpaqueTokens once the others had their say)
        }
        check(input, output, token);
    }

    private void check(AuthenticationInput input, AuthenticationOutput output, String token) {
        Async async = output.async(patience(), TimeoutFallback.FAILURE);
        decide(input.client(), input.username(), token).whenComplete((decision, failure) -> {
            if (failure != null) {
                output.deny("token check failed: " + IdentityProvider.describe(failure));
            } else if (decision.refusal != null) {
                output.deny(decision.refusal);
            } else {
                output.allow(decision.identity);
            }
            async.resume();
        });
    }

    /**
     * Introspects a password that is not a JWT, as an opaque access token. Ranked below the
     * password file (1000) and above {@code allow_anonymous}: the rest of the chain decides
     * first, so a password that belongs to a password-file user never leaves the broker.
     */
    final class OpaqueTokens implements Authenticator {
        static final int RANKING = 500;

        @Override
        public void authenticate(AuthenticationInput input, AuthenticationOutput output) {
            Optional<byte[]> password = input.password();
            if (password.isEmpty() || settings == null) {
                return;
            }
            String token = new String(password.get(), StandardCharsets.UTF_8).trim();
            if (JwtValidator.looksLikeJwt(token)) {
                return; // TokenAuthentication judged it already
            }
            check(input, output, token);
        }
    }

    /** The identity a token proves, or why it is refused. */
    private record Decision(Identity identity, String refusal) {
    }

    private CompletionStage<Decision> decide(ClientInfo client, Optional<String> presented, String token) {
        boolean jwt = JwtValidator.looksLikeJwt(token);
        CompletableFuture<TokenCheck> check = jwt && settings.introspect() != OidcSettings.Introspect.ALWAYS
                ? jwts.check(token) : introspection.check(token);
        return check.thenApply(c -> {
            if (!c.isValid()) {
                return new Decision(null, "token refused: " + c.refusal());
            }
            String username = Claims.string(c.claims(), settings.usernameClaim());
            if (username == null) {
                username = Claims.string(c.claims(), "sub");
            }
            if (username == null) {
                return new Decision(null, "token has neither '" + settings.usernameClaim() + "' nor 'sub'");
            }
            if (settings.usernameMustMatch() && presented.isPresent() && !presented.get().isEmpty()
                    && !presented.get().equals(username)) {
                return new Decision(null, "user name '" + presented.get() + "' does not match the token's "
                        + settings.usernameClaim() + " '" + username + "'");
            }
            String pattern = settings.clientIdPattern();
            if (!pattern.isEmpty() && !clientIdFits(pattern, username, client.clientId())) {
                return new Decision(null, "client id '" + client.clientId() + "' does not fit client_id_pattern '"
                        + pattern + "' for user '" + username + "'");
            }
            String certificateProblem = certificateProblem(client, username);
            if (certificateProblem != null) {
                return new Decision(null, certificateProblem);
            }
            Identity identity = Identity.of(username).withRoles(c.roles(settings.roleClaims()));
            if (settings.enforceExpiry() && c.expiresAt() != null) {
                identity = identity.expiringAt(c.expiresAt());
            }
            return new Decision(identity, null);
        });
    }

    /** {@code %u} stands for the user name, {@code *} for any run of characters. */
    static boolean clientIdFits(String pattern, String username, String clientId) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.replace("%u", "\u0000").split("(?=[*\u0000])|(?<=[*\u0000])")) {
            if (part.equals("*")) {
                regex.append(".*");
            } else if (part.equals("\u0000")) {
                regex.append(Pattern.quote(username));
            } else if (!part.isEmpty()) {
                regex.append(Pattern.quote(part));
            }
        }
        return Pattern.matches(regex.toString(), clientId);
    }

    private String certificateProblem(ClientInfo client, String username) {
        if (settings.clientCertificate() == OidcSettings.CertificateRule.IGNORE) {
            return null;
        }
        if (client.certificate().isEmpty()) {
            return "client_certificate = " + settings.clientCertificate().name().toLowerCase(java.util.Locale.ROOT)
                    + ", but the client presented no verified certificate";
        }
        if (settings.clientCertificate() == OidcSettings.CertificateRule.MUST_MATCH) {
            String cn = commonName(client.certificate().get());
            if (!username.equals(cn)) {
                return "the certificate's CN '" + cn + "' is not the token's user '" + username + "'";
            }
        }
        return null;
    }

    private static String commonName(java.security.cert.X509Certificate certificate) {
        try {
            for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(
                    certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (javax.naming.InvalidNameException e) {
            return null;
        }
        return null;
    }

    /**
     * The token from enhanced authentication data: the token itself, or an RFC 7628 client
     * response ({@code n,,\u0001auth=Bearer <token>\u0001\u0001}).
     */
    static String bearerToken(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        int auth = text.indexOf("auth=Bearer ");
        if (text.startsWith("n,") && auth >= 0) {
            int end = text.indexOf('\u0001', auth);
            return text.substring(auth + "auth=Bearer ".length(), end < 0 ? text.length() : end).trim();
        }
        return text.trim();
    }

    /** The token as MQTT 5 enhanced authentication: CONNECT or AUTH carries it, one step. */
    private final class BearerMethod implements EnhancedAuthenticator {
        @Override
        public String method() {
            return settings.enhancedMethod();
        }

        @Override
        public EnhancedAuthentication begin(ClientInfo client) {
            return data -> {
                String token = bearerToken(data);
                if (token.isEmpty()) {
                    return CompletableFuture.completedFuture(AuthenticationStep.failure(
                            "no token in the authentication data"));
                }
                return decide(client, client.username(), token).thenApply(d -> d.refusal != null
                        ? AuthenticationStep.failure(d.refusal)
                        : AuthenticationStep.successAs(new byte[0], d.identity));
            };
        }
    }
}
