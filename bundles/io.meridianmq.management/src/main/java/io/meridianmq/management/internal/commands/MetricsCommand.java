package io.meridianmq.management.internal.commands;

import java.util.Map;

import io.meridianmq.broker.Broker;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:metrics}: the broker's and the plugins' metrics as they are now. */
@Service
@Command(scope = "meridian", name = "metrics", description = "Shows the broker's and the plugins' metrics")
public class MetricsCommand extends ConsoleCommand {

    @Reference
    Broker broker;

    @Override
    public Object execute() {
        for (Map.Entry<String, Long> m : broker.metrics().entrySet()) {
            out().printf("%-50s %d%n", m.getKey(), m.getValue());
        }
        return null;
    }
}
