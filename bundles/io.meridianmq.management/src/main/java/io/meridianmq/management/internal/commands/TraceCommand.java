package io.meridianmq.management.internal.commands;

import java.nio.file.Path;
import java.time.Duration;

import io.meridianmq.protocol.MqttPipeline;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code meridian:trace CLIENT [MINUTES]}: one client's packets, decoded, into
 * {@code data/log/trace-CLIENT.log} for a while (default 10 minutes); without arguments, the
 * traces running now.
 */
@Service
@Command(scope = "meridian", name = "trace", description = "Traces one client's packets into data/log/trace-CLIENT.log")
public class TraceCommand extends ConsoleCommand {

    @Argument(index = 0, name = "client", description = "The client id (none: list the traces running)")
    String clientId;

    @Argument(index = 1, name = "minutes", description = "For how long (default 10, at most 1440)")
    int minutes = 10;

    @Reference
    MqttPipeline protocol;

    @Override
    public Object execute() {
        if (clientId == null) {
            protocol.traces().forEach((id, until) -> out().println(id + " until " + until));
            out().println(protocol.traces().size() + " trace(s)");
            return null;
        }
        if (minutes < 1 || minutes > 1440) {
            out().println("minutes must be from 1 to 1440");
            return null;
        }
        Path file = protocol.trace(clientId, Duration.ofMinutes(minutes));
        out().println("Tracing client '" + clientId + "' for " + minutes + " minute(s) into " + file);
        return null;
    }
}
