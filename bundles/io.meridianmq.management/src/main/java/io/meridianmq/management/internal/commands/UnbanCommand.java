package io.meridianmq.management.internal.commands;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Broker;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:unban KIND VALUE}: removes a ban. */
@Service
@Command(scope = "meridian", name = "unban", description = "Removes a ban")
public class UnbanCommand implements Action {

    @Argument(index = 0, name = "kind", description = "clientid, username or address", required = true)
    String kind;

    @Argument(index = 1, name = "value", description = "The client id, user name or IP address", required = true)
    String value;

    @Reference
    Broker broker;

    @Override
    public Object execute() {
        Ban.Kind k;
        try {
            k = Ban.Kind.of(kind);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return null;
        }
        if (broker.bans().remove(k, value)) {
            System.out.println("Ban of " + k.word() + " '" + value + "' removed");
        } else {
            System.err.println("No ban of " + k.word() + " '" + value + "' (see meridian:bans)");
        }
        return null;
    }
}
