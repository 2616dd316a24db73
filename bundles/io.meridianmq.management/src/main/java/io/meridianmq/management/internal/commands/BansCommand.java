package io.meridianmq.management.internal.commands;

import java.util.List;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Broker;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:bans}: the bans in force. */
@Service
@Command(scope = "meridian", name = "bans", description = "Lists the bans in force")
public class BansCommand extends ConsoleCommand {

    @Reference
    Broker broker;

    @Override
    public Object execute() {
        List<Ban> bans = broker.bans().list();
        out().printf("%-9s %-30s %-22s %-24s %s%n", "KIND", "VALUE", "UNTIL", "BY", "REASON");
        for (Ban b : bans) {
            out().printf("%-9s %-30s %-22s %-24s %s%n", b.kind().word(), b.value(),
                    b.until() == null ? "unbanned" : b.until().toString(), b.by(), b.reason());
        }
        out().println(bans.size() + " ban(s)");
        return null;
    }
}
