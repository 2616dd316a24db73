package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * The operator's console commands against clients we did not write (Paho 3 and 5): list
 * clients, sessions, subscriptions, retained messages and figures; kick a client (it sees
 * DISCONNECT 0x98); ban it (CONNACK 0x8A for MQTT 5, return code 5 for 3.1.1), across a
 * kill and restart, and unban it.
 */
public class OperatorCommandsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    @Test
    public void listsWhatIsConnectedAndKicks() throws Exception {
        try (V5Client victim = new V5Client(BROKER.uri(), "victim-5")) {
            victim.connect();
            victim.subscribe(V5Client.sub("ops/#", 1));
            victim.publish("ops/state", "retained for the browser", 1, true);

            String clients = BROKER.shell("meridian:clients victim");
            assertTrue(clients, clients.contains("victim-5") && clients.contains("1 client(s)"));
            String sessions = BROKER.shell("meridian:sessions");
            assertTrue(sessions, sessions.matches("(?s).*victim-5\\s+online\\s+1\\s.*"));
            String subs = BROKER.shell("meridian:subscriptions victim-5");
            assertTrue(subs, subs.contains("ops/#"));
            String retained = BROKER.shell("meridian:retained ops/#");
            assertTrue(retained, retained.contains("ops/state") && retained.contains("retained for the browser"));
            String stats = BROKER.shell("meridian:stats");
            assertTrue(stats, stats.matches("(?s).*sessions online\\s+1\\b.*"));

            String kicked = BROKER.shell("meridian:kick victim-5 maintenance");
            assertTrue(kicked, kicked.contains("Client 'victim-5' disconnected"));
            assertEquals("DISCONNECT 0x98, administrative action", 0x98, victim.awaitDisconnect().getReturnCode());
        }
    }

    @Test
    public void aBanRefusesBothVersionsAcrossARestartUntilUnbanned() throws Exception {
        String banned = BROKER.shell("meridian:ban -r \"stolen device\" clientid banned-5");
        assertTrue(banned, banned.contains("Banned clientid 'banned-5' until unbanned"));
        BROKER.shell("meridian:ban -m 60 -r replay clientid banned-3");
        String list = BROKER.shell("meridian:bans");
        assertTrue(list, list.contains("banned-5") && list.contains("stolen device") && list.contains("2 ban(s)"));

        assertV5Refused("banned-5");
        assertV3Refused("banned-3");
        BROKER.kill(); // even a kill -9 keeps the bans: each change is on disk when the command returns
        BROKER.restart();
        assertV5Refused("banned-5");

        String unbanned = BROKER.shell("meridian:unban clientid banned-5");
        assertTrue(unbanned, unbanned.contains("removed"));
        try (V5Client back = new V5Client(BROKER.uri(), "banned-5")) {
            back.connect();
        }
    }

    private static void assertV5Refused(String clientId) throws Exception {
        try (V5Client c = new V5Client(BROKER.uri(), clientId)) {
            c.connect();
            fail(clientId + " connected while banned");
        } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
            assertEquals("CONNACK 0x8A, banned", 0x8A, e.getReasonCode());
        }
    }

    private static void assertV3Refused(String clientId) throws Exception {
        MqttClient c = new MqttClient(BROKER.uri(), clientId, new MemoryPersistence());
        try {
            c.connect();
            fail(clientId + " connected while banned");
        } catch (MqttException e) {
            assertEquals("3.1.1 return code 5, not authorized", MqttException.REASON_CODE_NOT_AUTHORIZED,
                    e.getReasonCode());
        } finally {
            c.close();
        }
    }
}
