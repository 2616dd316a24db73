package io.meridianmq.e2e;

import static org.junit.Assert.assertThrows;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.Rule;
import org.junit.Test;

/**
 * Safe by default (issue 7, point 8): a listener that reaches beyond loopback does not open while
 * no authentication is configured, says why, and opens by itself once the operator sets
 * {@code allow_anonymous = true} on purpose.
 */
public class SafeDefaultsTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess();

    @Test
    public void aListenerBeyondLoopbackWithoutAuthenticationStaysClosedUntilAllowed() throws Exception {
        int port = BrokerProcess.freePort();
        Files.writeString(broker.home().resolve("etc/io.meridianmq.listener-public.cfg"),
                "name = public\nhost = 0.0.0.0\nport = " + port + "\nkind = mqtt\n");
        broker.awaitLog("Listener 'public'");
        broker.awaitLog("is not opened on 0.0.0.0:" + port);
        broker.awaitLog("set allow_anonymous = true");
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());

        Files.writeString(broker.home().resolve("etc/io.meridianmq.broker.cfg"), "allow_anonymous = true\n");
        broker.awaitLog(":" + port + " (listener 'public', kind mqtt");
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "through-public", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(o);
        client.disconnect();
        client.close();
    }
}
