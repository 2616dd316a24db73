package io.meridianmq.broker.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Remembers the installed bundles that provide an authenticator or authorizer but are not
 * running (stopped by {@code meridian:plugin-disable}, or failing to start), so that the broker
 * denies instead of carrying on as if they had never been there: a stopped ACL plugin must not
 * mean "everything allowed". A bundle counts from its manifest's {@code Provide-Capability:
 * osgi.service} (which bnd writes for every Declarative Services component), so this holds from
 * the first moment, also after a restart with the bundle still stopped. Uninstalling the bundle
 * (removing its file from {@code deploy/}) takes it out of the chain for good.
 *
 * <p>Threading: the maps are written by the framework's event thread and read by any thread.
 */
final class StoppedSecurityPlugins implements SynchronousBundleListener {

    private static final Pattern AUTHORIZER = Pattern.compile("io\\.meridianmq\\.sdk\\.auth\\.Authorizer\\b");
    private static final Pattern AUTHENTICATOR = Pattern.compile("io\\.meridianmq\\.sdk\\.auth\\.Authenticator\\b");

    private final Map<Long, String> authorizers = new ConcurrentHashMap<>();
    private final Map<Long, String> authenticators = new ConcurrentHashMap<>();

    void watch(BundleContext context) {
        context.addBundleListener(this);
        for (Bundle b : context.getBundles()) {
            update(b);
        }
    }

    void stop(BundleContext context) {
        context.removeBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        update(event.getBundle());
    }

    private void update(Bundle bundle) {
        String services = bundle.getHeaders("").get("Provide-Capability");
        if (services == null || !services.contains("osgi.service")) {
            return;
        }
        boolean stopped = (bundle.getState() & (Bundle.INSTALLED | Bundle.RESOLVED)) != 0;
        String name = bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle " + bundle.getBundleId() + ")";
        track(authorizers, AUTHORIZER.matcher(services).find() && stopped, bundle.getBundleId(), name);
        track(authenticators, AUTHENTICATOR.matcher(services).find() && stopped, bundle.getBundleId(), name);
    }

    private static void track(Map<Long, String> table, boolean stopped, long id, String name) {
        if (stopped) {
            table.put(id, name);
        } else {
            table.remove(id);
        }
    }

    /** A stopped bundle with an authorizer, or null when there is none. */
    String authorizer() {
        return authorizers.isEmpty() ? null : authorizers.values().iterator().next();
    }

    /** A stopped bundle with an authenticator, or null when there is none. */
    String authenticator() {
        return authenticators.isEmpty() ? null : authenticators.values().iterator().next();
    }
}
