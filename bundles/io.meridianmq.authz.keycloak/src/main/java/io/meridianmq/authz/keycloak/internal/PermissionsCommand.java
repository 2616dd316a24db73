package io.meridianmq.authz.keycloak.internal;

import java.util.List;
import java.util.Set;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code meridian:permissions USER}: what Keycloak grants a user (as of the last sync) and the
 * topic permissions that follow from the rules.
 */
@Service
@Command(scope = "meridian", name = "permissions",
        description = "Prints a user's Keycloak roles and groups and the topic permissions they give")
public class PermissionsCommand implements Action {

    @Reference
    KeycloakRoleAuthorizer authorizer;

    /** Where the operator reads the answer (the ssh or local console of this command). */
    @Reference
    org.apache.karaf.shell.api.console.Session session;

    @Argument(index = 0, name = "user", required = true, description = "The user name")
    String user;

    @Option(name = "-c", aliases = "--client-id", description = "The client id, for rules with %c")
    String clientId = "(client id)";

    @Override
    public Object execute() {
        UserGrants grants = authorizer.current();
        Set<String> held = grants.of(user);
        StringBuilder out = new StringBuilder();
        out.append("User ").append(user).append(" in Keycloak (sync of ").append(grants.at()).append("): ")
                .append(held.isEmpty() ? "no roles or groups" : String.join(", ", held)).append('\n');
        authorizer.lastFailure().ifPresent(f -> out.append("Warning: the last sync failed: ").append(f).append('\n'));
        List<String> rules = authorizer.effective(user, clientId, Set.of());
        if (rules.isEmpty()) {
            out.append("No topic permissions (roles in a client's token can add some).");
        } else {
            out.append("Topic permissions:");
            for (String r : rules) {
                out.append("\n  ").append(r);
            }
        }
        session.getConsole().println(out);
        return null;
    }
}
