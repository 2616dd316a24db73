package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 3: a session belongs to whoever made it. Mallory, a valid user, connects with
 * alice's client id: online or offline, before and after a restart, she is refused (MQTT 5: 0x85;
 * 3.1.1: return code 2), alice stays connected and keeps her queued messages. Queued messages are
 * authorized again when delivered, against the ACL in force then, also after a restart.
 */
public class SessionOwnershipAttackTest {

    private static final String ACL = "user alice\ntopic readwrite alice/#\nuser bob\ntopic write alice/#\n"
            + "user mallory\ntopic readwrite mallory/#\n";

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", ACL)
            .withEtcFile("passwd", "");

    @Before
    public void users() throws Exception {
        if (!Files.readString(BROKER.home().resolve("etc/passwd")).isEmpty()) {
            return;
        }
        BROKER.addUser("alice", "a-pass");
        BROKER.addUser("bob", "b-pass");
        BROKER.addUser("mallory", "m-pass");
        org.awaitility.Awaitility.await("the password file read").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> hivemq("mallory-own", "mallory", "m-pass").getReasonCode() == Mqtt5ConnAckReasonCode.SUCCESS);
    }

    private static Mqtt5ConnAck hivemq(String clientId, String user, String password) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1")
                .serverPort(BROKER.port()).buildBlocking();
        try {
            Mqtt5ConnAck ack = c.connectWith().cleanStart(false).sessionExpiryInterval(3600).simpleAuth()
                    .username(user).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
            c.disconnect();
            return ack;
        } catch (Mqtt5ConnAckException refused) {
            return refused.getMqttMessage();
        }
    }

    private static V5Client alice(String clientId) throws Exception {
        V5Client c = new V5Client(BROKER.uri(), clientId);
        MqttConnectionOptions o = V5Client.options();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setUserName("alice");
        o.setPassword("a-pass".getBytes(StandardCharsets.UTF_8));
        c.connect(o);
        return c;
    }

    private static void attacksAreRefused(String clientId) throws Exception {
        assertEquals(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
                hivemq(clientId, "mallory", "m-pass").getReasonCode());
        MosquittoCommand v3 = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv311", "-c", "-i",
                clientId, "-u", "mallory", "-P", "m-pass", "-t", "mallory/x", "-q", "1", "-d", "-E");
        assertTrue("3.1.1: " + v3.output(), v3.output().contains("received CONNACK (2)"));
    }

    private static void publishAsBob(String topic, String text) throws Exception {
        MosquittoCommand pub = MosquittoCommand.run(BROKER.port(), "mosquitto_pub", "-V", "mqttv5", "-i", "bob-pub",
                "-u", "bob", "-P", "b-pass", "-t", topic, "-q", "1", "-m", text);
        assertEquals(pub.output(), 0, pub.exitCode());
    }

    @Test
    public void anotherUserCannotTakeOverAnOnlineSession() throws Exception {
        try (V5Client alice = alice("alice-phone")) {
            alice.subscribe(V5Client.sub("alice/inbox", 1));
            attacksAreRefused("alice-phone");
            assertTrue("alice stays connected", alice.paho.isConnected());
            publishAsBob("alice/inbox", "still hers");
            assertEquals("still hers", alice.next().text());
        }
        BROKER.awaitLogLine(l -> l.contains("alice-phone") && l.contains("user 'alice'") && l.contains("user 'mallory'"),
                "a log line naming the session's owner and the intruder");
    }

    @Test
    public void anOfflineSessionStaysWithItsOwnerAcrossARestartAndIsAuthorizedAgainOnDelivery() throws Exception {
        try (V5Client alice = alice("alice-laptop")) {
            alice.subscribe(V5Client.sub("alice/#", 1));
            alice.paho.disconnect().waitForCompletion(10_000);
        }
        publishAsBob("alice/secret/plans", "no longer for alice");
        publishAsBob("alice/ok/news", "still for alice");
        attacksAreRefused("alice-laptop"); // offline: her queued messages must not go to mallory

        // alice loses read access to alice/secret while she is away, and the broker restarts
        BROKER.kill();
        Path acl = BROKER.home().resolve("etc/acl");
        Files.writeString(acl, ACL.replace("topic readwrite alice/#", "topic readwrite alice/ok/#"));
        BROKER.restart();
        attacksAreRefused("alice-laptop"); // the owner was stored with the session

        try (V5Client alice = alice("alice-laptop")) {
            assertEquals("the first message she gets is one she may still read", "still for alice",
                    alice.next().text());
        }
    }
}
