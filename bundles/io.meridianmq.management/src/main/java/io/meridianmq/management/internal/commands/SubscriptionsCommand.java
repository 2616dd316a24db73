package io.meridianmq.management.internal.commands;

import java.util.Map;
import java.util.TreeMap;

import io.meridianmq.sdk.service.BrokerServices;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:subscriptions CLIENT}: one session's topic filters with their QoS. */
@Service
@Command(scope = "meridian", name = "subscriptions", description = "Lists one session's subscriptions")
public class SubscriptionsCommand extends ConsoleCommand {

    @Argument(index = 0, name = "client", description = "The client id", required = true)
    String clientId;

    @Reference
    BrokerServices broker;

    @Override
    public Object execute() {
        Map<String, Integer> subs = new TreeMap<>(broker.subscriptions(clientId));
        if (subs.isEmpty()) {
            out().println("No subscriptions for client '" + clientId + "' (or no such session; see meridian:sessions)");
            return null;
        }
        out().printf("%-60s %s%n", "TOPIC FILTER", "QOS");
        subs.forEach((filter, qos) -> out().printf("%-60s %d%n", filter, qos));
        out().println(subs.size() + " subscription(s)");
        return null;
    }
}
