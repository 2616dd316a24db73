package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code io_threads} in {@code etc/io.meridianmq.transport.cfg} sets how many I/O threads carry
 * the clients; it is read at start, and a live edit is acknowledged without touching a client.
 */
public class IoThreadsTest {

    private static final String TRANSPORT_CFG = "io.meridianmq.transport.cfg";

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withEtcFile(TRANSPORT_CFG, "io_threads = 1\n");

    private final List<MqttClient> clients = new ArrayList<>();

    @After
    public void disconnect() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
    }

    private MqttClient connect(String id, Received callback) throws Exception {
        MqttClient c = new MqttClient(BROKER.uri(), id, new MemoryPersistence());
        c.setCallback(callback);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setConnectionTimeout(10);
        c.connect(o);
        clients.add(c);
        return c;
    }

    private static long ioThreadsRunning() throws Exception {
        return BROKER.threadNames().stream().filter(n -> n.startsWith("meridian-io-")).count();
    }

    @Test
    public void oneIoThreadCarriesEveryClient() throws Exception {
        BROKER.awaitLog("1 I/O thread(s) for");
        Received got = new Received();
        MqttClient subscriber = connect("sub-one-thread", got);
        subscriber.subscribe("threads/#", 1);
        MqttClient publisher = connect("pub-one-thread", new Received());
        connect("third-one-thread", new Received());
        publisher.publish("threads/a", "on one thread".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("on one thread", got.next().payload());
        // Netty starts an I/O thread when the first channel lands on it: three clients on the
        // default two threads (this machine has two cores or more) would start both
        assertEquals("I/O threads running with io_threads = 1: " + BROKER.threadNames(), 1, ioThreadsRunning());
    }

    @Test
    public void aLiveEditIsAcknowledgedForTheNextStartAndNoClientIsDropped() throws Exception {
        Received got = new Received();
        MqttClient subscriber = connect("sub-live-edit", got);
        subscriber.subscribe("edit/#", 1);
        MqttClient publisher = connect("pub-live-edit", new Received());

        BROKER.editEtcFile(TRANSPORT_CFG, "io_threads = 3\n", l -> l.contains(TRANSPORT_CFG
                + ": io_threads = 3 applies at the next start; the running broker keeps 1 I/O thread(s)"),
                "the live edit acknowledged for the next start");
        BROKER.editEtcFile(TRANSPORT_CFG, "io_threads = many\n",
                l -> l.contains(TRANSPORT_CFG + ": io_threads = 'many' is not a whole number"), "the refusal of 'many'");

        assertTrue(subscriber.isConnected());
        assertTrue(publisher.isConnected());
        assertFalse(got.isLost());
        publisher.publish("edit/a", "after the edit".getBytes(StandardCharsets.UTF_8), 1, false);
        assertEquals("after the edit", got.next().payload());
        assertEquals(1, ioThreadsRunning());
        writeEtc("io_threads = 1\n");
    }

    private static void writeEtc(String content) throws Exception {
        Path target = BROKER.home().resolve("etc").resolve(TRANSPORT_CFG);
        Path temp = Files.createTempFile(BROKER.home(), "cfg", ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
