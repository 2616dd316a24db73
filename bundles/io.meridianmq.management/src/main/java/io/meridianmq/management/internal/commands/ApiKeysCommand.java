package io.meridianmq.management.internal.commands;

import java.util.Map;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:apikeys}: the REST API keys' names and roles (the keys themselves are not kept). */
@Service
@Command(scope = "meridian", name = "apikeys", description = "Lists the REST API keys")
public class ApiKeysCommand extends ConsoleCommand {

    @Override
    public Object execute() {
        Map<String, String> keys = ApiKeyCreateCommand.keys().list();
        keys.forEach((name, role) -> out().printf("%-30s %s%n", name, role));
        out().println(keys.size() + " key(s)");
        return null;
    }
}
