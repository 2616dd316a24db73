package io.meridianmq.management.internal.commands;

import io.meridianmq.management.internal.PluginBundles;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * {@code meridian:plugin-disable ID}: stops a plugin bundle without removing its file; it stays
 * stopped across restarts until {@code meridian:plugin-enable}.
 */
@Service
@Command(scope = "meridian", name = "plugin-disable", description = "Disables a plugin (its file stays in deploy/)")
public class PluginDisableCommand extends PluginBundleCommand {

    @Override
    String apply(Bundle plugin) throws BundleException {
        PluginBundles.disable(plugin);
        return "disabled";
    }
}
