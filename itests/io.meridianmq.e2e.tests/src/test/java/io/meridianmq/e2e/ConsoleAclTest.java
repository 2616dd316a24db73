package io.meridianmq.e2e;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 10: Karaf's command ACL ({@code etc/org.apache.karaf.command.acl.meridian.cfg})
 * keeps the commands that change the broker to the admin role. A console user with the viewer
 * role may look, not change: no new password-file user, no plugin switched off.
 */
public class ConsoleAclTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("passwd", "");

    /** Karaf's answers to a command the user's roles do not allow: it hides it, or refuses it. */
    private static boolean refused(String out) {
        return out.contains("Insufficient credentials") || out.contains("Command not found");
    }

    @Test
    public void aViewerCannotChangeUsersOrPlugins() throws Exception {
        String passwd = BROKER.shellAs(BrokerProcess.VIEWER, "meridian:passwd intruder secret");
        assertTrue(passwd, refused(passwd));
        assertFalse("the viewer added a user", Files.readString(BROKER.home().resolve("etc/passwd")).contains("intruder"));
        for (String command : new String[] {"meridian:plugin-disable 1", "meridian:plugin-enable 1",
            "meridian:keycloak-sync", "meridian:kick someone", "meridian:ban clientid someone",
            "meridian:unban clientid someone", "meridian:apikey-create k admin", "meridian:trace someone"}) {
            String out = BROKER.shellAs(BrokerProcess.VIEWER, command);
            assertTrue(command + ": " + out, refused(out));
        }
        String plugins = BROKER.shellAs(BrokerProcess.VIEWER, "meridian:plugins");
        assertFalse("a viewer may list plugins: " + plugins, refused(plugins));
    }

    @Test
    public void anAdminCan() throws Exception {
        String out = BROKER.shell("meridian:passwd operator-made s3cret");
        assertFalse(out, refused(out));
        assertTrue("the admin added a user", Files.readString(BROKER.home().resolve("etc/passwd")).contains("operator-made"));
    }
}
