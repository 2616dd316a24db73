package io.meridianmq.management.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/** {@code meridian:plugin-enable ID}: starts a plugin bundle disabled with plugin-disable. */
@Service
@Command(scope = "meridian", name = "plugin-enable", description = "Enables a disabled plugin")
public class PluginEnableCommand implements Action {

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
        b.start();
        System.out.println("Plugin " + b.getSymbolicName() + " " + b.getVersion() + " enabled");
        return null;
    }
}
