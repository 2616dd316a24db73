package io.meridianmq.authz.keycloak.internal;

import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:keycloak-sync}: reads roles and groups from Keycloak now; prints what changed. */
@Service
@Command(scope = "meridian", name = "keycloak-sync",
        description = "Reads users' roles and groups from Keycloak now and applies them to connected clients")
public class KeycloakSyncCommand implements Action {

    @Reference
    KeycloakRoleAuthorizer authorizer;

    /** Where the operator reads the answer (the ssh or local console of this command). */
    @Reference
    org.apache.karaf.shell.api.console.Session session;

    @Override
    public Object execute() throws Exception {
        session.getConsole().println(authorizer.sync().get(5, TimeUnit.MINUTES));
        return null;
    }
}
