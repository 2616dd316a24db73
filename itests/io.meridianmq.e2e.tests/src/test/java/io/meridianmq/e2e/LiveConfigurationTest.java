package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/** Settings edited in etc/ apply to the running broker, and bad values are refused clearly. */
public class LiveConfigurationTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static final String BROKER_CFG = "io.meridianmq.broker.cfg";

    private static void writeEtc(String file, String content) throws Exception {
        Path target = BROKER.home().resolve("etc").resolve(file);
        Path temp = Files.createTempFile(BROKER.home(), "cfg", ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static MqttClient connect(String uri, String id) throws MqttException {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        c.connect(o);
        return c;
    }

    @Test
    public void anonymousAccessCanBeTurnedOffAndOnWithoutRestart() throws Exception {
        MqttClient before = connect(BROKER.uri(), "before-change");
        writeEtc(BROKER_CFG, "allow_anonymous = false\n");
        BROKER.awaitLog("Anonymous access: allow_anonymous=false");
        try {
            connect(BROKER.uri(), "refused").disconnect();
            fail("anonymous clients must be refused now");
        } catch (MqttException e) {
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
        }
        assertTrue("clients already connected stay connected", before.isConnected());
        BROKER.awaitLog("Connection of client 'refused'");

        writeEtc(BROKER_CFG, "allow_anonymous = loopback\n");
        BROKER.awaitLog("Anonymous access: allow_anonymous=loopback");
        MqttClient after = connect(BROKER.uri(), "after-change");
        after.disconnect();
        before.disconnect();
    }

    @Test
    public void aBadValueIsRefusedWithTheFileAndKeyAndTheOldValueStays() throws Exception {
        writeEtc(BROKER_CFG, "max_inflight_messages = lots\nallow_anonymous = loopback\n");
        BROKER.awaitLog(BROKER_CFG + ": max_inflight_messages = 'lots' is not a whole number; keeping 20",
                Duration.ofSeconds(20));
        MqttClient c = connect(BROKER.uri(), "still-fine");
        c.disconnect();
    }

    @Test
    public void aListenerCanBeMovedToAnotherPortWithoutRestart() throws Exception {
        int newPort = BrokerProcess.freePort();
        writeEtc("io.meridianmq.listener-second.cfg", "host = 127.0.0.1\nport = " + newPort + "\n");
        BROKER.awaitLog("Meridian listening for MQTT on 127.0.0.1:" + newPort + " (listener 'second'");
        MqttClient viaSecond = connect("tcp://127.0.0.1:" + newPort, "via-second");
        MqttClient viaDefault = connect(BROKER.uri(), "via-default");
        Files.delete(BROKER.home().resolve("etc/io.meridianmq.listener-second.cfg"));
        BROKER.awaitLog("Listener 'second' closed");
        assertTrue("the default listener's clients are not touched", viaDefault.isConnected());
        viaDefault.disconnect();
        try {
            viaSecond.disconnect();
        } catch (MqttException e) {
            // its listener is gone; whether the connection survives the listener is not promised
        }
    }
}
