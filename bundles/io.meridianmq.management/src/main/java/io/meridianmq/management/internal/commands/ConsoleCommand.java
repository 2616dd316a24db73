package io.meridianmq.management.internal.commands;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.Session;

/**
 * A {@code meridian:} console command: what it prints goes to the console of the session that
 * ran it (the local console, ssh or {@code bin/client}), answers and refusals alike.
 */
abstract class ConsoleCommand implements Action {

    @Reference
    Session session;

    /** The running session's console. */
    PrintStream out() {
        return session.getConsole();
    }
}
