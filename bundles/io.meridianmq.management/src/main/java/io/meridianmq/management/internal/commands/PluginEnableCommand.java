package io.meridianmq.management.internal.commands;

import io.meridianmq.management.internal.PluginBundles;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/** {@code meridian:plugin-enable ID}: starts a plugin bundle disabled with plugin-disable. */
@Service
@Command(scope = "meridian", name = "plugin-enable", description = "Enables a disabled plugin")
public class PluginEnableCommand extends PluginBundleCommand {

    @Override
    String apply(Bundle plugin) throws BundleException {
        PluginBundles.enable(plugin);
        return "enabled";
    }
}
