package io.meridianmq.management.internal.commands;

import java.util.Comparator;
import java.util.List;

import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.service.BrokerServices;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:clients}: the connected clients, optionally those whose id contains a text or of one user or listener. */
@Service
@Command(scope = "meridian", name = "clients", description = "Lists the connected clients")
public class ClientsCommand extends ConsoleCommand {

    @Argument(index = 0, name = "text", description = "Only client ids that contain this text")
    String text;

    @Option(name = "-u", aliases = "--user", description = "Only clients of this user name")
    String user;

    @Option(name = "-l", aliases = "--listener", description = "Only clients of this listener")
    String listener;

    @Reference
    BrokerServices broker;

    @Override
    public Object execute() {
        List<ClientInfo> shown = broker.connectedClients().stream()
                .filter(c -> text == null || c.clientId().contains(text))
                .filter(c -> user == null || c.username().map(user::equals).orElse(false))
                .filter(c -> listener == null || listener.equals(c.listenerName()))
                .sorted(Comparator.comparing(ClientInfo::clientId)).toList();
        out().printf("%-40s %-16s %-22s %-10s %s%n", "CLIENT ID", "USER", "ADDRESS", "LISTENER", "MQTT");
        for (ClientInfo c : shown) {
            out().printf("%-40s %-16s %-22s %-10s %s%n", c.clientId(), c.username().orElse("-"),
                    c.remoteAddress().getAddress().getHostAddress() + ":" + c.remoteAddress().getPort(),
                    c.listenerName(), c.protocolLevel() == 5 ? "5.0" : c.protocolLevel() == 4 ? "3.1.1" : "3.1");
        }
        out().println(shown.size() + " client(s)");
        return null;
    }
}
