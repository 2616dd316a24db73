package io.meridianmq.management.internal.commands;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:apikey-revoke NAME}: the key stops working at once. */
@Service
@Command(scope = "meridian", name = "apikey-revoke", description = "Revokes a REST API key")
public class ApiKeyRevokeCommand extends ConsoleCommand {

    @Argument(index = 0, name = "name", description = "The key's name", required = true)
    String name;

    @Override
    public Object execute() throws Exception {
        if (ApiKeyCreateCommand.keys().revoke(name)) {
            out().println("API key '" + name + "' revoked");
        } else {
            out().println("No API key '" + name + "' (see meridian:apikeys)");
        }
        return null;
    }
}
