package io.meridianmq.management.internal.commands;

import io.meridianmq.sdk.service.BrokerServices;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:kick CLIENT [REASON]}: ends a client's connection (MQTT 5: DISCONNECT 0x98); its session stays. */
@Service
@Command(scope = "meridian", name = "kick", description = "Disconnects a client (its session stays, as it asked)")
public class KickCommand extends ConsoleCommand {

    @Argument(index = 0, name = "client", description = "The client id", required = true)
    String clientId;

    @Argument(index = 1, name = "reason", description = "Why, for the log and the client (MQTT 5)")
    String reason = "kicked by an operator";

    @Reference
    BrokerServices broker;

    @Override
    public Object execute() {
        if (broker.disconnect(clientId, reason + " (by " + Operator.name() + ")")) {
            out().println("Client '" + clientId + "' disconnected");
        } else {
            out().println("No connected client '" + clientId + "' (see meridian:clients)");
        }
        return null;
    }
}
