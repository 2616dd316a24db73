package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The ACL file (Mosquitto's acl_file syntax) with password file users: MQTT 5 clients get 0x87
 * in PUBACK and SUBACK, MQTT 3.1.1 publishes are dropped silently and SUBACK says 0x80, and an
 * edited ACL applies to connected clients' next operations.
 */
public class AclTest {

    private static final String ACL = "user alice\ntopic readwrite alice/#\ntopic read shared/#\n"
            + "topic deny shared/secret\nuser bob\ntopic readwrite shared/#\n";

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", ACL)
            .withEtcFile("passwd", "");

    private static void users() throws Exception {
        Path passwd = BROKER.home().resolve("etc/passwd");
        if (!Files.readString(passwd).isEmpty()) {
            return;
        }
        for (String[] u : new String[][] {{"alice", "a-pass"}, {"bob", "b-pass"}}) {
            Process p = new ProcessBuilder(BROKER.home().resolve("bin/meridian-passwd").toString(), "-b",
                    passwd.toString(), u[0], u[1]).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor());
        }
    }

    private static V5Client v5(String user, String password) throws Exception {
        users();
        V5Client c = new V5Client(BROKER.uri(), "acl5-" + user);
        MqttConnectionOptions o = V5Client.options();
        o.setUserName(user);
        o.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                c.connect(o);
                return c;
            } catch (org.eclipse.paho.mqttv5.common.MqttException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    public void mqtt5ClientsGetNotAuthorizedReasonCodes() throws Exception {
        try (V5Client alice = v5("alice", "a-pass"); V5Client bob = v5("bob", "b-pass")) {
            assertEquals(1, alice.subscribe(V5Client.sub("shared/news", 1)).getReasonCodes()[0]);
            assertEquals(0x87, alice.subscribe(V5Client.sub("bob/#", 1)).getReasonCodes()[0]);
            IMqttToken denied = alice.publish("shared/news", "alice may only read here", 1, false);
            assertEquals(0x87, denied.getReasonCodes()[0]);
            bob.publish("shared/news", "from bob", 1, false);
            assertEquals("from bob", alice.next().text());
        }
    }

    @Test
    public void mqtt311PublishesAreDroppedSilentlyAndSubackSays0x80() throws Exception {
        users();
        MqttClient alice = new MqttClient(BROKER.uri(), "acl3-alice", new MemoryPersistence());
        Received received = new Received();
        alice.setCallback(received);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("alice");
        o.setPassword("a-pass".toCharArray());
        alice.connect(o);
        try {
            alice.subscribe("alice/#", 1);
            int[] granted = alice.subscribeWithResponse("bob/x", 1).getGrantedQos();
            assertEquals(0x80, granted[0]);
            alice.publish("shared/news", "dropped".getBytes(), 1, false); // acknowledged, not delivered
            alice.publish("alice/own", "kept".getBytes(), 1, false);
            assertEquals("kept", received.next().payload());
        } finally {
            alice.disconnect();
            alice.close();
        }
    }

    @Test
    public void retainedMessagesTheAclHidesAreNotDeliveredOnSubscribe() throws Exception {
        try (V5Client bob = v5("bob", "b-pass"); V5Client alice = v5("alice", "a-pass")) {
            bob.publish("shared/secret", "for bob's eyes", 1, true);
            bob.publish("shared/public", "for everyone", 1, true);
            alice.subscribe(V5Client.sub("shared/#", 1));
            assertEquals("for everyone", alice.next().text());
            // live messages too: the subscription covers shared/secret, the ACL denies it
            bob.publish("shared/secret", "live secret", 1, false);
            bob.publish("shared/public", "live public", 1, false);
            assertEquals("live public", alice.next().text());
            assertNull("shared/secret is denied to alice", alice.poll(300));
            bob.publish("shared/secret", "", 1, true);
            bob.publish("shared/public", "", 1, true);
        }
    }

    @Test
    public void anEditedAclAppliesToConnectedClients() throws Exception {
        try (V5Client alice = v5("alice", "a-pass")) {
            assertEquals(0x87, alice.subscribe(V5Client.sub("later/#", 1)).getReasonCodes()[0]);
            Path acl = BROKER.home().resolve("etc/acl");
            Path temp = BROKER.home().resolve("acl.tmp");
            Files.writeString(temp, ACL.replace("user alice\n", "user alice\ntopic read later/#\n"));
            Files.move(temp, acl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            long deadline = System.currentTimeMillis() + 10_000;
            while (alice.subscribe(V5Client.sub("later/#", 1)).getReasonCodes()[0] != 1) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("the edited ACL was not applied");
                }
                Thread.sleep(100);
            }
            assertNull(alice.poll(0));
        }
    }
}
