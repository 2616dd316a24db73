package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;

/**
 * A listener's connection limits, set in its {@code etc/} file while clients are connected:
 * {@code max_connections_per_address} and {@code max_connection_rate} close the sockets past
 * them at once (Paho sees the connection closed), count and log them, and an edit of just the
 * limits keeps every connected client.
 */
public class ConnectionLimitsTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess();

    private final List<MqttClient> clients = java.util.Collections.synchronizedList(new ArrayList<>());

    @After
    public void closeClients() {
        for (MqttClient c : List.copyOf(clients)) {
            try {
                if (c.isConnected()) {
                    c.disconnectForcibly(100, 100);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // gone already
            }
        }
    }

    private MqttClient connect(String id) throws MqttException {
        MqttClient c = new MqttClient(broker.uri(), id, new MemoryPersistence());
        c.setTimeToWait(10_000);
        clients.add(c);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(5);
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1); // Paho's default would try again as 3.1
        c.connect(o);
        return c;
    }

    /** Connects, trying again while the broker has not yet seen the end of a connection it counts. */
    private MqttClient connectSoon(String id) {
        MqttClient[] connected = new MqttClient[1];
        org.awaitility.Awaitility.await("client " + id + " connects").atMost(java.time.Duration.ofSeconds(10))
                .ignoreException(MqttException.class).until(() -> (connected[0] = connect(id)) != null);
        return connected[0];
    }

    private void limits(String limits) throws Exception {
        broker.editEtcFile("io.meridianmq.listener-default.cfg", "name = default\nhost = 127.0.0.1\nport = "
                + broker.port() + "\nkind = mqtt\n" + limits, l -> l.contains("connection limits now"),
                "says the listener's connection limits changed");
    }

    @Test
    public void connectionsPerAddressAreCappedAndRaisedLiveWithoutDroppingClients() throws Exception {
        limits("max_connections_per_address = 3\n");
        List<MqttClient> first = List.of(connect("addr-1"), connect("addr-2"), connect("addr-3"));
        try {
            connect("addr-4");
            fail("a fourth connection from 127.0.0.1 is closed");
        } catch (MqttException expected) {
            // Paho: connection lost (the socket was closed before CONNACK)
        }
        assertEquals(1.0, broker.metric(
                "meridian_connections_refused_total{limit=\"max_connections_per_address\",listener=\"default\"}"), 0);
        broker.awaitLog("Listener 'default': closed 1 new connection(s) at max_connections_per_address = 3"
                + " (the last from 127.0.0.1)"); // Meridian's lines are written asynchronously

        // a connection that ends gives its address's place back
        first.get(2).disconnect();
        assertTrue("a third connects again once one of the three left", connectSoon("addr-3b").isConnected());
        try {
            connect("addr-5");
            fail("and a fourth is still closed");
        } catch (MqttException expected) {
            // at the limit again
        }

        limits("max_connections_per_address = 10\n");
        for (MqttClient c : first.subList(0, 2)) {
            assertTrue(c.getClientId() + " kept its connection through the edit", c.isConnected());
        }
        assertTrue("a fourth connects now", connect("addr-4b").isConnected());
    }

    @Test
    public void aConnectStormIsHeldToTheConnectionRate() throws Exception {
        limits("max_connection_rate = 5\n");
        // 40 clients at once, as after an outage
        java.util.concurrent.ExecutorService storm = java.util.concurrent.Executors.newFixedThreadPool(40);
        List<java.util.concurrent.Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String id = "storm-" + i;
            outcomes.add(storm.submit(() -> {
                try {
                    connect(id);
                    return true;
                } catch (MqttException closed) {
                    return false;
                }
            }));
        }
        int accepted = 0;
        int refused = 0;
        for (java.util.concurrent.Future<Boolean> f : outcomes) {
            if (f.get()) {
                accepted++;
            } else {
                refused++;
            }
        }
        storm.shutdown();
        assertTrue("some of the storm got in: " + accepted, accepted >= 5);
        assertTrue("and some was closed at once: " + refused, refused > 0);
        assertEquals(refused, broker.metric("meridian_connections_refused_total{limit=\"max_connection_rate\""), 0);
    }
}
