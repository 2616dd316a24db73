package io.meridianmq.management.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * {@code meridian:plugin-disable ID}: stops a plugin bundle without removing its file; it stays
 * stopped across restarts until {@code meridian:plugin-enable}.
 */
@Service
@Command(scope = "meridian", name = "plugin-disable", description = "Disables a plugin (its file stays in deploy/)")
public class PluginDisableCommand implements Action {

    @Argument(index = 0, name = "bundle", description = "The plugin's bundle id (see meridian:plugins)", required = true)
    long bundleId;

    @Reference
    BundleContext context;

    @Override
    public Object execute() throws BundleException {
        Bundle b = context.getBundle(bundleId);
        if (b == null || !PluginsCommand.isPluginBundle(b)) {
            System.err.println("No plugin bundle with id " + bundleId + " (see meridian:plugins)");
            return null;
        }
        b.stop(); // persistent: the framework remembers it
        System.out.println("Plugin " + b.getSymbolicName() + " " + b.getVersion() + " disabled");
        return null;
    }
}
