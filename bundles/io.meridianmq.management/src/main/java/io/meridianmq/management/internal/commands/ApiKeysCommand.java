package io.meridianmq.management.internal.commands;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:apikeys}: the REST API keys' names and roles (the keys themselves are not kept). */
@Service
@Command(scope = "meridian", name = "apikeys", description = "Lists the REST API keys")
public class ApiKeysCommand implements Action {

    @Override
    public Object execute() {
        Map<String, String> keys = ApiKeyCreateCommand.keys().list();
        keys.forEach((name, role) -> System.out.printf("%-30s %s%n", name, role));
        System.out.println(keys.size() + " key(s)");
        return null;
    }
}
