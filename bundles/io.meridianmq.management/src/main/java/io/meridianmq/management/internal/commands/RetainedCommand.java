package io.meridianmq.management.internal.commands;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.sdk.service.RetainedMessageView;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:retained [FILTER]}: the retained messages whose topics match a filter. */
@Service
@Command(scope = "meridian", name = "retained", description = "Lists retained messages matching a topic filter")
public class RetainedCommand extends ConsoleCommand {

    @Argument(index = 0, name = "filter", description = "A topic filter (default #)")
    String filter = "#";

    @Option(name = "-n", aliases = "--limit", description = "At most this many (default 100)")
    int limit = 100;

    @Reference
    BrokerServices broker;

    @Override
    public Object execute() {
        List<RetainedMessageView> found = broker.retained(filter, limit);
        out().printf("%-50s %3s %8s  %s%n", "TOPIC", "QOS", "BYTES", "PAYLOAD (first 60 characters)");
        for (RetainedMessageView m : found) {
            String text = new String(m.payload(), StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", ".");
            out().printf("%-50s %3d %8d  %s%n", m.topic(), m.qos(), m.payload().length,
                    text.length() > 60 ? text.substring(0, 60) + "..." : text);
        }
        out().println(found.size() + " retained message(s)" + (found.size() == limit ? " (limit reached: -n)" : ""));
        return null;
    }
}
