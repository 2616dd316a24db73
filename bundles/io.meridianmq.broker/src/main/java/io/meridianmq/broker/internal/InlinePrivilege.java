package io.meridianmq.broker.internal;

import java.util.Map;

import org.osgi.framework.Bundle;

/**
 * Decides which plugins the broker calls inline, on the network thread, instead of on a plugin
 * thread with a timeout: only Meridian's own plugins that answer from memory (or go asynchronous
 * at once and work on threads of their own), named here by
 * bundle and class, and only when the class really comes from that bundle and the bundle was
 * installed from Meridian's feature ({@code mvn:io.meridianmq/...}). Nothing a plugin can set
 * earns it: not a service property, not a symbolic name starting with {@code io.meridianmq.}
 * (a bundle dropped into {@code deploy/} has a {@code file:} location), because a plugin on the
 * event loop that blocks or loops stalls every client of that thread.
 *
 * <p>Threading: stateless.
 */
final class InlinePrivilege {

    /** Bundle symbolic name to the one plugin class in it that may run inline. */
    private static final Map<String, String> FIRST_PARTY = Map.of(
            "io.meridianmq.authz.acl", "io.meridianmq.authz.acl.internal.AclFileAuthorizer",
            // answers a client without a user name at once, hashes a password on its own threads
            "io.meridianmq.auth.file", "io.meridianmq.auth.file.internal.PasswordFileAuthenticator",
            "io.meridianmq.authz.keycloak", "io.meridianmq.authz.keycloak.internal.KeycloakRoleAuthorizer");

    private InlinePrivilege() {
    }

    /**
     * @param bundle the bundle that registered the service, or null
     * @param serviceClass the name of the plugin service object's class
     * @param definingBundle the bundle whose class loader defined that class, or null
     */
    static boolean granted(Bundle bundle, String serviceClass, Bundle definingBundle) {
        if (bundle == null || definingBundle == null || bundle.getBundleId() != definingBundle.getBundleId()) {
            return false;
        }
        String name = bundle.getSymbolicName();
        String location = bundle.getLocation();
        return name != null && serviceClass.equals(FIRST_PARTY.get(name))
                && location != null && location.startsWith("mvn:io.meridianmq/" + name + "/");
    }
}
