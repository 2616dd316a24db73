package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Rule;
import org.junit.Test;

/**
 * Flapping detection: a Paho client that connects and disconnects more than flapping_max_count
 * times within flapping_window is banned (CONNACK return code 5), by client id and by address,
 * so that a new id from the same address is refused too; the ban is listed with the others,
 * counted, and ends by itself after flapping_ban_time.
 */
public class FlappingTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess().withEtcFile("io.meridianmq.broker.cfg",
            "flapping_max_count = 3\nflapping_window = 60\nflapping_ban_time = 3\n");

    private void connectAndDisconnect(String id) throws MqttException {
        MqttClient c = new MqttClient(broker.uri(), id, new MemoryPersistence());
        try {
            c.setTimeToWait(10_000);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            c.connect(o);
            c.disconnect();
        } finally {
            c.close(true);
        }
    }

    private void assertBanned(String id) {
        try {
            connectAndDisconnect(id);
            fail(id + " is banned");
        } catch (MqttException e) {
            assertEquals(id + ": CONNACK 5, not authorized", MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
        }
    }

    @Test
    public void aFlappingClientIsBannedByIdAndAddressUntilTheBanTimePasses() throws Exception {
        for (int i = 0; i < 3; i++) {
            connectAndDisconnect("flapper");
        }
        assertBanned("flapper");
        assertBanned("flapper-renamed"); // the address is banned as well
        String bans = broker.shell("meridian:bans");
        assertTrue(bans, bans.contains("flapper") && bans.contains("127.0.0.1") && bans.contains("flapping"));
        assertEquals(1.0, broker.metric("meridian_flapping_bans_total"), 0);
        broker.awaitLog("Banned clientid 'flapper'");
        await("the ban ends after flapping_ban_time").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> {
                    connectAndDisconnect("flapper-later");
                    return true;
                });
    }
}
