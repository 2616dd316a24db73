package io.meridianmq.auth.file.internal;

import java.io.Console;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code bin/meridian-passwd}: manages a password file like mosquitto_passwd.
 *
 * <pre>
 * meridian-passwd [-c] passwordfile username        (asks for the password)
 * meridian-passwd -b passwordfile username password
 * meridian-passwd -D passwordfile username
 * </pre>
 */
public final class PasswordTool {

    private PasswordTool() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("meridian-passwd: " + e.getMessage());
            System.exit(1);
        } catch (Exception e) {
            System.err.println("meridian-passwd: " + e);
            System.exit(1);
        }
    }

    static int run(String[] args) throws Exception {
        boolean batch = false;
        boolean delete = false;
        boolean create = false;
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            switch (args[i]) {
                case "-b" -> batch = true;
                case "-D" -> delete = true;
                case "-c" -> create = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        int rest = args.length - i;
        if ((batch && rest != 3) || (!batch && rest != 2)) {
            System.err.println("Usage: meridian-passwd [-c] passwordfile username\n"
                    + "       meridian-passwd -b passwordfile username password\n"
                    + "       meridian-passwd -D passwordfile username");
            return 1;
        }
        Path file = Paths.get(args[i]);
        String user = args[i + 1];
        if (create) {
            java.nio.file.Files.deleteIfExists(file);
        }
        if (delete) {
            PasswordFile.update(file, user, null);
            return 0;
        }
        char[] password;
        if (batch) {
            password = args[i + 2].toCharArray();
        } else {
            Console console = System.console();
            if (console == null) {
                throw new IllegalArgumentException("no terminal to ask for the password: use -b");
            }
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Reenter password: ");
            if (!java.util.Arrays.equals(password, again)) {
                throw new IllegalArgumentException("the passwords do not match");
            }
        }
        PasswordFile.update(file, user, password);
        return 0;
    }
}
