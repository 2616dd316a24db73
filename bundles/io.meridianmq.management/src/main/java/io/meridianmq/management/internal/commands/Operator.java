package io.meridianmq.management.internal.commands;

import java.security.AccessController;
import java.security.Principal;

import javax.security.auth.Subject;

/** Who runs a console command, for the log and the ban list: the Karaf user, or "console". */
final class Operator {

    private Operator() {
    }

    @SuppressWarnings("removal") // Karaf's shell runs commands as the logged-in JAAS subject this way
    static String name() {
        Subject subject = Subject.getSubject(AccessController.getContext());
        if (subject != null) {
            for (Principal p : subject.getPrincipals()) {
                // Karaf's org.apache.karaf.jaas.boot.principal.UserPrincipal; its roles are RolePrincipals
                if (p.getClass().getSimpleName().equals("UserPrincipal")) {
                    return "console user " + p.getName();
                }
            }
        }
        return "console";
    }
}
