package io.meridianmq.auth.file.internal;

import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code meridian:passwd USER PASSWORD} (or {@code -D USER}): sets or deletes a user in the
 * password file in use; the broker picks the change up at once.
 */
@Service
@Command(scope = "meridian", name = "passwd", description = "Sets or deletes a user in the password file")
public class PasswdCommand implements Action {

    @Option(name = "-D", description = "Delete the user")
    boolean delete;

    @Option(name = "-f", description = "The password file (default: etc/passwd)")
    String file = "etc/passwd";

    @Argument(index = 0, name = "user", required = true)
    String user;

    @Argument(index = 1, name = "password")
    String password;

    @Override
    public Object execute() throws Exception {
        Path p = Paths.get(file);
        if (!p.isAbsolute()) {
            p = Paths.get(System.getProperty("karaf.base", ".")).resolve(p);
        }
        if (delete) {
            PasswordFile.update(p, user, null);
            System.out.println("User " + user + " deleted from " + p);
        } else if (password == null) {
            System.err.println("Give the password: meridian:passwd USER PASSWORD");
        } else {
            PasswordFile.update(p, user, password.toCharArray());
            System.out.println("User " + user + " set in " + p);
        }
        return null;
    }
}
