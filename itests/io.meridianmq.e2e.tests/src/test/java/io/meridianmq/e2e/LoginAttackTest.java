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

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 7: a refused login tells an attacker nothing about which users exist, and
 * failed logins are damped per user name as well as per address. The password file knows alice
 * and bob.
 */
public class LoginAttackTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = true\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", "user bob\ntopic readwrite bob/#\n")
            .withEtcFile("passwd", "");

    private static synchronized void users() throws Exception {
        Path passwd = BROKER.home().resolve("etc/passwd");
        if (!Files.readString(passwd).isEmpty()) {
            return;
        }
        BROKER.addUser("alice", "a-pass");
        BROKER.addUser("bob", "b-pass");
        // the file is read again when it changes: wait until alice gets in
        org.awaitility.Awaitility.await("the password file read").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> connect("alice", "a-pass").getReasonCode() == Mqtt5ConnAckReasonCode.SUCCESS);
    }

    /** Connects with the HiveMQ client and returns the CONNACK, accepted or not. */
    private static Mqtt5ConnAck connect(String user, String password) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("login-" + user)
                .serverHost("127.0.0.1").serverPort(BROKER.port()).buildBlocking();
        try {
            Mqtt5ConnAck ack = c.connectWith().simpleAuth().username(user)
                    .password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
            c.disconnect();
            return ack;
        } catch (Mqtt5ConnAckException refused) {
            return refused.getMqttMessage();
        }
    }

    @Test
    public void anUnknownUserAndAWrongPasswordGetTheSameAnswer() throws Exception {
        users();
        Mqtt5ConnAck unknown = connect("mallory", "guess");
        Mqtt5ConnAck wrong = connect("alice", "guess");
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, unknown.getReasonCode());
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, wrong.getReasonCode());
        assertEquals(wrong.getReasonString().map(Object::toString), unknown.getReasonString().map(Object::toString));
        // the broker's own log says what happened, for the operator
        BROKER.awaitLogLine(l -> l.contains("login-mallory") && l.contains("no authenticator accepted user name 'mallory'"),
                "the operator's log line for the unknown user");
    }

    @Test
    public void anotherAccountsSuccessDoesNotResetTheCountForAUser() throws Exception {
        users();
        for (int i = 0; i < 3; i++) {
            assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, connect("alice", "guess " + i).getReasonCode());
        }
        // the attacker's own valid account logs in between guesses ...
        assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, connect("bob", "b-pass").getReasonCode());
        assertEquals(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD, connect("alice", "guess 3").getReasonCode());
        // ... and still the fourth failure for alice starts the damping
        BROKER.awaitLogLine(l -> l.contains("failed authentications in a row for user 'alice'"),
                "damping of alice's logins after four failures");
    }
}
