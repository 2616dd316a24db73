package io.meridianmq.management.internal.commands;

import java.time.Duration;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Bans;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code meridian:ban [-m MINUTES] [-r REASON] KIND VALUE}: refuses a client id, user name or
 * address at CONNECT (MQTT 5: 0x8A; 3.1.1: 5) and disconnects the clients it matches.
 */
@Service
@Command(scope = "meridian", name = "ban", description = "Bans a client id, user name or address")
public class BanCommand extends BanTargetCommand {

    @Option(name = "-m", aliases = "--minutes", description = "For this many minutes (default: until meridian:unban)")
    long minutes;

    @Option(name = "-r", aliases = "--reason", description = "Why, for the log and the ban list")
    String reason;

    @Override
    void apply(Ban.Kind k) {
        if (minutes < 0) {
            out().println("-m takes a positive number of minutes");
            return;
        }
        Bans.Added added = broker.bans().add(k, value, minutes == 0 ? null : Duration.ofMinutes(minutes), reason,
                Operator.name());
        out().println("Banned " + k.word() + " '" + value + "' "
                + (added.ban().until() == null ? "until unbanned" : "until " + added.ban().until()) + "; "
                + added.disconnected() + " connected client(s) disconnected");
    }
}
