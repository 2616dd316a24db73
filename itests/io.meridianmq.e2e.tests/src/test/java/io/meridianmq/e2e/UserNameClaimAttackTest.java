package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 2: a user name is proven or refused, whatever {@code allow_anonymous} says.
 * The broker lets anonymous clients in on purpose ({@code allow_anonymous = true}) and has no
 * password file; the ACL has rules for {@code admin} and {@code bob}, users no authenticator
 * here knows (their accounts live elsewhere, or were removed). Claiming such a name must not
 * buy its rules.
 */
public class UserNameClaimAttackTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = true\n")
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", "topic read public/#\nuser admin\ntopic readwrite #\nuser bob\ntopic readwrite bob/#\n");

    @Test
    public void aUserNameNoAuthenticatorAcceptedIsRefusedDespiteAllowAnonymous() throws Exception {
        // mosquitto_sub claiming to be 'admin' (no such password-file user) would otherwise hold admin's ACL rules
        MosquittoCommand v3 = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv311", "-i", "claims-admin",
                "-u", "admin", "-t", "secret/#", "-d", "-E");
        assertTrue("3.1.1: " + v3.output(), v3.output().contains("received CONNACK (4)"));
        MosquittoCommand v5 = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv5", "-i", "claims-admin",
                "-u", "admin", "-P", "anything", "-t", "secret/#", "-d", "-E");
        assertTrue("MQTT 5: " + v5.output(), v5.output().contains("received CONNACK (134)"));
        BROKER.awaitLogLine(l -> l.contains("claims-admin") && l.contains("user name 'admin'"),
                "a log line naming the client and the refused user name");
    }

    @Test
    public void anAnonymousClientHoldsNoUsersRules() throws Exception {
        MosquittoCommand anonymous = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv5", "-i",
                "nobody-in-particular", "-t", "bob/#", "-d", "-E");
        assertEquals(anonymous.output(), 0x87, anonymous.subscribeResult());
        MosquittoCommand allowed = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv5", "-i",
                "nobody-in-particular", "-t", "public/news", "-d", "-E");
        assertEquals(allowed.output(), 0, allowed.subscribeResult());
    }
}
