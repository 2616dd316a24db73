package io.meridianmq.management.internal.commands;

import io.meridianmq.management.internal.PluginBundles;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/** A command that acts on one plugin bundle, named by its id. */
abstract class PluginBundleCommand extends ConsoleCommand {

    @Argument(index = 0, name = "bundle", description = "The plugin's bundle id (see meridian:plugins)", required = true)
    long bundleId;

    @Reference
    BundleContext context;

    /** What to do with the plugin bundle; returns the verb for the confirmation line. */
    abstract String apply(Bundle plugin) throws BundleException;

    @Override
    public Object execute() throws BundleException {
        Bundle b = PluginBundles.find(context, bundleId);
        if (b == null) {
            out().println("No plugin bundle with id " + bundleId + " (see meridian:plugins)");
            return null;
        }
        out().println("Plugin " + b.getSymbolicName() + " " + b.getVersion() + " " + apply(b));
        return null;
    }
}
