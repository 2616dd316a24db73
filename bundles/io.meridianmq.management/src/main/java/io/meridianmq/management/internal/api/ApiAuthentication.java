package io.meridianmq.management.internal.api;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;
import java.util.Optional;

import javax.security.auth.Subject;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

/**
 * Who calls: {@code Authorization: Basic} with a Karaf user (the {@code karaf} JAAS realm,
 * {@code etc/users.properties} by default; role {@code admin} may change, {@code viewer} may
 * read), or {@code Authorization: Bearer} / {@code X-API-Key} with an API key.
 *
 * <p>Threading: the management server's thread (a JAAS login per request).
 */
final class ApiAuthentication {

    private static final String REALM = "karaf";

    private final ApiKeys keys;

    ApiAuthentication(ApiKeys keys) {
        this.keys = keys;
    }

    /** The caller, or empty when the credentials are missing or wrong (or give no role here). */
    Optional<Caller> authenticate(String authorization, String apiKey) {
        if (apiKey != null) {
            return keys.verify(apiKey.trim());
        }
        if (authorization == null) {
            return Optional.empty();
        }
        if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return keys.verify(authorization.substring(7).trim());
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return login(decoded.substring(0, colon), decoded.substring(colon + 1).toCharArray());
    }

    private static Optional<Caller> login(String user, char[] password) {
        Subject subject = new Subject();
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        try {
            // Karaf's JAAS configuration loads its login modules itself; the bundle's loader keeps
            // the JDK from looking for them on the management thread's own
            t.setContextClassLoader(ApiAuthentication.class.getClassLoader());
            LoginContext context = new LoginContext(REALM, subject, callbacks -> {
                for (javax.security.auth.callback.Callback c : callbacks) {
                    if (c instanceof NameCallback n) {
                        n.setName(user);
                    } else if (c instanceof PasswordCallback p) {
                        p.setPassword(password);
                    } else {
                        throw new UnsupportedCallbackException(c);
                    }
                }
            });
            context.login();
        } catch (LoginException e) {
            return Optional.empty();
        } finally {
            t.setContextClassLoader(before);
            java.util.Arrays.fill(password, '\0');
        }
        boolean admin = false;
        boolean viewer = false;
        for (Principal p : subject.getPrincipals()) {
            // Karaf's org.apache.karaf.jaas.boot.principal.RolePrincipal
            if (p.getClass().getSimpleName().equals("RolePrincipal")) {
                admin |= p.getName().equals("admin");
                viewer |= p.getName().equals("viewer");
            }
        }
        return admin || viewer ? Optional.of(new Caller("user " + user, admin)) : Optional.empty();
    }
}
