package io.meridianmq.management.internal.commands;

import io.meridianmq.broker.Ban;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:unban KIND VALUE}: removes a ban. */
@Service
@Command(scope = "meridian", name = "unban", description = "Removes a ban")
public class UnbanCommand extends BanTargetCommand {

    @Override
    void apply(Ban.Kind k) {
        if (broker.bans().remove(k, value)) {
            out().println("Ban of " + k.word() + " '" + value + "' removed");
        } else {
            out().println("No ban of " + k.word() + " '" + value + "' (see meridian:bans)");
        }
    }
}
