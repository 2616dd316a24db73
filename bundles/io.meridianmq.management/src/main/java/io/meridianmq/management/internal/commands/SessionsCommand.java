package io.meridianmq.management.internal.commands;

import java.util.List;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.SessionSummary;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:sessions}: every session, online and offline, with its subscriptions and messages. */
@Service
@Command(scope = "meridian", name = "sessions", description = "Lists the sessions, online and offline")
public class SessionsCommand extends ConsoleCommand {

    @Option(name = "-o", aliases = "--offline", description = "Only sessions whose client is not connected")
    boolean offlineOnly;

    @Reference
    Broker broker;

    @Override
    public Object execute() {
        List<SessionSummary> shown = broker.sessions().stream().filter(s -> !offlineOnly || !s.online()).toList();
        out().printf("%-40s %-8s %13s %8s %9s%n", "CLIENT ID", "STATE", "SUBSCRIPTIONS", "QUEUED", "IN FLIGHT");
        for (SessionSummary s : shown) {
            out().printf("%-40s %-8s %13d %8d %9d%n", s.clientId(), s.online() ? "online" : "offline",
                    s.subscriptions(), s.queued(), s.inflight());
        }
        out().println(shown.size() + " session(s)");
        return null;
    }
}
