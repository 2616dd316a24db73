package io.meridianmq.management.internal.commands;

import java.util.List;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.PluginState;
import io.meridianmq.management.internal.PluginBundles;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** {@code meridian:plugins}: the plugins the broker uses, with their bundle and state. */
@Service
@Command(scope = "meridian", name = "plugins", description = "Lists the plugins in use, by extension point")
public class PluginsCommand extends ConsoleCommand {

    @Reference
    Broker broker;

    @Reference
    BundleContext context;

    @Override
    public Object execute() {
        List<PluginState> plugins = broker.plugins();
        out().printf("%-22s %-7s %-9s %s%n", "EXTENSION POINT", "BUNDLE", "STATE", "PLUGIN");
        for (PluginState p : plugins) {
            out().printf("%-22s %-7s %-9s %s%n", p.kind(), p.bundleId() < 0 ? "-" : String.valueOf(p.bundleId()),
                    p.enabled() ? "active" : "FAILING", p.name());
        }
        // plugin bundles an operator disabled do not register services: list them too
        for (Bundle b : PluginBundles.disabled(context)) {
            out().printf("%-22s %-7s %-9s %s%n", "-", b.getBundleId(), "disabled",
                    b.getSymbolicName() + " " + b.getVersion());
        }
        return null;
    }
}
