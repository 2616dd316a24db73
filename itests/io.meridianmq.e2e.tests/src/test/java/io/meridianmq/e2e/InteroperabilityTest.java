package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.ClassRule;
import org.junit.Test;

/** MQTT 3.1.1 and 5.0 clients share topics: each gets what its protocol version can carry. */
public class InteroperabilityTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private static MqttClient v3(String id, Received received) throws Exception {
        MqttClient c = new MqttClient(BROKER.uri(), id, new MemoryPersistence());
        c.setCallback(received);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        c.connect(o);
        return c;
    }

    @Test
    public void aV5PublishReachesAV3SubscriberWithoutV5Fields() throws Exception {
        Received received = new Received();
        MqttClient sub = v3("interop-v3-sub", received);
        try (V5Client pub = new V5Client(BROKER.uri(), "interop-v5-pub")) {
            sub.subscribe("interop/a", 1);
            pub.connect();
            MqttMessage m = V5Client.message("from five", 1, false);
            MqttProperties p = new MqttProperties();
            p.setUserProperties(List.of(new UserProperty("k", "v")));
            p.setContentType("text/plain");
            p.setMessageExpiryInterval(60L);
            m.setProperties(p);
            pub.publish("interop/a", m);
            Received.Message got = received.next();
            assertEquals("from five", got.payload());
            assertEquals(1, got.qos());
        } finally {
            sub.disconnect();
            sub.close();
        }
    }

    @Test
    public void aV3PublishReachesAV5SubscriberWithNoProperties() throws Exception {
        Received ignored = new Received();
        MqttClient pub = v3("interop-v3-pub", ignored);
        try (V5Client sub = new V5Client(BROKER.uri(), "interop-v5-sub")) {
            sub.connect();
            sub.subscribe(V5Client.sub("interop/b", 2));
            pub.publish("interop/b", "from three".getBytes(StandardCharsets.UTF_8), 2, false);
            V5Client.Received got = sub.next();
            assertEquals("from three", got.text());
            assertEquals(2, got.message().getQos());
            MqttProperties p = got.message().getProperties();
            assertTrue(p.getUserProperties() == null || p.getUserProperties().isEmpty());
            assertEquals(null, p.getContentType());
        } finally {
            pub.disconnect();
            pub.close();
        }
    }
}
