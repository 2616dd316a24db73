package io.meridianmq.management.internal;

import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Plugin bundles as operators switch them: a plugin is a bundle that imports the SDK and is not
 * part of Meridian itself (the examples are plugins); disabling stops it persistently (its file
 * stays in {@code deploy/}), enabling starts it again.
 */
public final class PluginBundles {

    private PluginBundles() {
    }

    public static boolean isPluginBundle(Bundle b) {
        String name = b.getSymbolicName();
        String imports = b.getHeaders().get("Import-Package");
        if (name == null || imports == null || !imports.contains("io.meridianmq.sdk")) {
            return false;
        }
        return !name.startsWith("io.meridianmq.") || name.startsWith("io.meridianmq.example.");
    }

    /** Plugin bundles an operator disabled: resolved, not started (they register no services). */
    public static List<Bundle> disabled(BundleContext context) {
        List<Bundle> found = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.RESOLVED && isPluginBundle(b)) {
                found.add(b);
            }
        }
        return found;
    }

    /** The plugin bundle with {@code id}, or null when there is none (or it is not a plugin). */
    public static Bundle find(BundleContext context, long id) {
        Bundle b = context.getBundle(id);
        return b != null && isPluginBundle(b) ? b : null;
    }

    public static void disable(Bundle plugin) throws BundleException {
        plugin.stop(); // persistent: the framework remembers it across restarts
    }

    public static void enable(Bundle plugin) throws BundleException {
        plugin.start();
    }
}
