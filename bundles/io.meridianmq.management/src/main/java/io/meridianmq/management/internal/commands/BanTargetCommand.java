package io.meridianmq.management.internal.commands;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Broker;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A command on one ban target, named by its kind and value ({@code clientid dev-7}). */
abstract class BanTargetCommand extends ConsoleCommand {

    @Argument(index = 0, name = "kind", description = "clientid, username or address", required = true)
    String kind;

    @Argument(index = 1, name = "value", description = "The client id, user name or IP address", required = true)
    String value;

    @Reference
    Broker broker;

    /** What to do with the target, once its kind is known. */
    abstract void apply(Ban.Kind target);

    @Override
    public Object execute() {
        Ban.Kind k;
        try {
            k = Ban.Kind.of(kind);
        } catch (IllegalArgumentException e) {
            out().println(e.getMessage());
            return null;
        }
        apply(k);
        return null;
    }
}
