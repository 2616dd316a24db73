package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Password file authentication with Mosquitto's format: a file written by Debian's
 * mosquitto_passwd is read as it is, edits with bin/meridian-passwd and meridian:passwd apply
 * without restart, and a bad line is reported with its number while the rest keeps working.
 */
public class PasswordFileAuthTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n");

    private static Path passwd;

    @BeforeClass
    public static void writeMosquittoPasswordFile() throws Exception {
        passwd = BROKER.home().resolve("etc/passwd");
        Path temp = BROKER.home().resolve("passwd.tmp");
        run("mosquitto_passwd", "-b", "-c", temp.toString(), "alice", "wonderland");
        Files.move(temp, passwd, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        awaitAccepted("alice", "wonderland"); // the file is read again on the next CONNECT after it changed
        BROKER.awaitLog("1 user(s) loaded");
    }

    private static void awaitAccepted(String user, String password) {
        org.awaitility.Awaitility.await(user + " accepted").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> connect(user, password));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(String.join(" ", command) + ": " + out, 0, p.waitFor());
        return out;
    }

    private static void connect(String user, String password) throws MqttException {
        MqttClient c = new MqttClient(BROKER.uri(), "pw-" + user + "-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        // no fallback to MQTT 3.1 (Paho's default), which would hide the 3.1.1 return code
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(password.toCharArray());
        }
        try {
            c.connect(o);
            c.disconnect();
        } finally {
            c.close();
        }
    }

    private static void assertRefused(String user, String password, int reason) {
        try {
            connect(user, password);
            fail(user + " must be refused");
        } catch (MqttException e) {
            assertEquals(reason, e.getReasonCode());
        }
    }

    @Test
    public void repeatedFailuresFromOneAddressAreSlowedDownAndCounted() throws Exception {
        for (int i = 0; i < 6; i++) {
            // an unknown user and a wrong password get the same answer
            assertRefused(i % 2 == 0 ? "alice" : "nobody-" + i, "guess-" + i, 4);
        }
        BROKER.awaitLog("failed authentications in a row from 127.0.0.1");
        String metrics = BROKER.shell("meridian:metrics");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("broker\\.authentication\\.failures\\D+(\\d+)")
                .matcher(metrics);
        assertTrue(metrics, m.find());
        assertTrue(metrics, Long.parseLong(m.group(1)) >= 6);
        connect("alice", "wonderland"); // a success clears the address
    }

    @Test
    public void aMosquittoPasswordFileIsReadAsItIs() throws Exception {
        connect("alice", "wonderland");
        assertRefused("alice", "guess", MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertRefused("mallory", "x", MqttException.REASON_CODE_FAILED_AUTHENTICATION);
        assertRefused(null, null, MqttException.REASON_CODE_NOT_AUTHORIZED); // allow_anonymous = false
    }

    @Test
    public void usersAddedWithMeridianPasswdCanConnectAtOnce() throws Exception {
        run(BROKER.home().resolve("bin/meridian-passwd").toString(), "-b", passwd.toString(), "bob", "builder");
        awaitAccepted("bob", "builder");
        assertTrue(Files.readString(passwd).contains("bob:$7$"));
    }

    @Test
    public void usersAddedFromTheConsole() throws Exception {
        String out = BROKER.shell("meridian:passwd carol c4r0l");
        assertTrue(out, out.contains("User carol set"));
        awaitAccepted("carol", "c4r0l");
    }

    @Test
    public void aBadLineIsReportedAndTheRestKeepsWorking() throws Exception {
        Files.writeString(passwd, Files.readString(passwd) + "this line is broken\n");
        awaitAccepted("alice", "wonderland"); // triggers the reload, and the good lines still work
        BROKER.awaitLog("passwd:" + Files.readAllLines(passwd).size() + ": expected user:hash; this line is ignored");
        connect("alice", "wonderland");
    }
}
