package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Who reads {@code $SYS} is the ACL's decision, as for any topic: a user granted
 * {@code topic read $SYS/#} reads the broker's figures with {@code mosquitto_sub}; a user without
 * it is refused the subscription and sees none of them.
 */
public class SysTopicsAclTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", "user ops\ntopic read $SYS/#\nuser dev\ntopic readwrite dev/#\n")
            .withEtcFile("passwd", "");

    @BeforeClass
    public static void users() throws Exception {
        BROKER.addUser("ops", "ops-pass");
        BROKER.addUser("dev", "dev-pass");
    }

    @Test
    public void theAclGrantsSysTopicsToOpsOnly() throws Exception {
        // the password file is read again when it changes: the users are there within a moment
        MosquittoCommand[] last = new MosquittoCommand[1];
        org.awaitility.Awaitility.await("ops reads $SYS/broker/version").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> (last[0] = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-u", "ops", "-P",
                        "ops-pass", "-t", "$SYS/broker/version", "-C", "1", "-W", "10")).exitCode() == 0);
        MosquittoCommand ops = last[0];
        assertTrue(ops.output(), ops.output().startsWith("Meridian "));

        MosquittoCommand dev = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-d", "-u", "dev", "-P",
                "dev-pass", "-t", "$SYS/#", "-W", "3");
        assertEquals("SUBACK refuses $SYS/# to dev: " + dev.output(), 0x80, dev.subscribeResult());
        assertFalse(dev.output(), dev.output().contains("Meridian "));
    }
}
