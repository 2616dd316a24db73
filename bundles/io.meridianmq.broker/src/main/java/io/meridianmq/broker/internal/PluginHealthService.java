package io.meridianmq.broker.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.meridianmq.sdk.service.PluginHealth;

import org.osgi.framework.Bundle;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

/**
 * {@link PluginHealth} for one plugin bundle (a bundle-scoped service): check names get the
 * bundle's symbolic name as prefix, and the plugin's checks go when it does.
 */
@Component(service = PluginHealth.class, scope = ServiceScope.BUNDLE)
public class PluginHealthService implements PluginHealth {

    @Reference
    PluginChecks checks;

    private String prefix;
    private final Set<String> mine = ConcurrentHashMap.newKeySet();

    @Activate
    void activate(ComponentContext context) {
        Bundle user = context.getUsingBundle();
        prefix = (user == null ? "plugin" : user.getSymbolicName()) + " ";
    }

    @Deactivate
    void deactivate() {
        mine.forEach(checks::withdraw);
    }

    @Override
    public void report(String check, boolean up, String problem) {
        mine.add(prefix + check);
        checks.report(prefix + check, up, problem == null ? "down" : problem);
    }

    @Override
    public void withdraw(String check) {
        mine.remove(prefix + check);
        checks.withdraw(prefix + check);
    }
}
