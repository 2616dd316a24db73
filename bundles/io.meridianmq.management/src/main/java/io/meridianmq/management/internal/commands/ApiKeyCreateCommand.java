package io.meridianmq.management.internal.commands;

import io.meridianmq.management.internal.api.ApiKeys;
import io.meridianmq.management.internal.api.ApiRoutes;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:apikey-create NAME ROLE}: makes a REST API key and shows it once (only its hash is kept). */
@Service
@Command(scope = "meridian", name = "apikey-create", description = "Makes a REST API key (shown once)")
public class ApiKeyCreateCommand extends ConsoleCommand {

    @Argument(index = 0, name = "name", description = "The key's name (letters, digits, '.', '_', '-')", required = true)
    String name;

    @Argument(index = 1, name = "role", description = "admin (may change) or viewer (may read)", required = true)
    String role;

    static ApiKeys keys() {
        return new ApiKeys(ApiRoutes.dataDirectory().resolve("meridian/api-keys.properties"));
    }

    @Override
    public Object execute() throws Exception {
        try {
            String key = keys().create(name, role);
            out().println("API key '" + name + "' (" + role + "): " + key);
            out().println("Keep it now: only its hash is stored. Use it as: Authorization: Bearer " + key);
        } catch (IllegalArgumentException e) {
            out().println(e.getMessage());
        }
        return null;
    }
}
