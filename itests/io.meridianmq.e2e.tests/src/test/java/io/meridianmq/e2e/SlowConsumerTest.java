package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.Rule;
import org.junit.Test;

/**
 * A subscriber that stops taking messages (Paho with manual acknowledgements, receive maximum
 * 10, never acknowledging) costs the broker its queue limit and no more, is disconnected after
 * slow_consumer_timeout with DISCONNECT 0x97 (quota exceeded), and meanwhile a pair of clients
 * on another topic goes on exchanging messages.
 */
public class SlowConsumerTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess().withEtcFile("io.meridianmq.broker.cfg",
            "slow_consumer_timeout = 3\nmax_queued_messages = 100\n");

    @Test
    public void aSubscriberThatStopsTakingMessagesIsDisconnectedWithQuotaExceeded() throws Exception {
        LinkedBlockingQueue<MqttDisconnectResponse> disconnects = new LinkedBlockingQueue<>();
        MqttAsyncClient stalled = new MqttAsyncClient(broker.uri(), "stalled", new MemoryPersistence());
        stalled.setManualAcks(true);
        stalled.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnects.add(response);
            }

            @Override
            public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
                // taken, never acknowledged
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {
            }
        });
        MqttConnectionOptions o = V5Client.options();
        o.setReceiveMaximum(10);
        stalled.connect(o).waitForCompletion(10_000);
        stalled.subscribe(new MqttSubscription("slow/#", 1)).waitForCompletion(10_000);

        try (V5Client pub = new V5Client(broker.uri(), "slow-pub");
                V5Client other = new V5Client(broker.uri(), "other-sub")) {
            pub.connect();
            other.connect();
            other.subscribe(V5Client.sub("other/#", 1));
            // the stalled subscriber's window (10) and queue (100) fill, then messages to it are dropped
            for (int i = 0; i < 300; i++) {
                pub.publish("slow/t", "m" + i, 1, false);
            }
            await("the stalled subscriber is disconnected").atMost(Duration.ofSeconds(30)).until(() -> {
                pub.publish("slow/t", "tick", 1, false); // messages keep coming to it
                pub.publish("other/t", "still", 1, false);
                return !disconnects.isEmpty();
            });
            MqttDisconnectResponse d = disconnects.poll(1, TimeUnit.SECONDS);
            assertEquals("quota exceeded", 0x97, d.getReturnCode());
            broker.awaitLog("Closing the connection of client 'stalled'"); // written asynchronously
            broker.awaitLog("slow consumer: no progress for");
            assertTrue("its queue was held to max_queued_messages",
                    broker.metric("meridian_messages_dropped_total{reason=\"queue_full\"}") > 0);
            // the other pair was served all along and still is
            pub.publish("other/t", "after", 1, false);
            String got;
            do {
                got = other.next().text();
            } while (!got.equals("after"));
        } finally {
            stalled.close(true);
        }
    }
}
