package io.meridianmq.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.After;
import org.junit.Test;

/**
 * The first client to reach a starting broker meets it whole: the listener does not open
 * while Karaf is still starting the security plugins, so the first CONNECT is neither refused
 * (the broker fails closed for a security bundle that is installed but not running) nor judged
 * without the ACL. Here Karaf starts the transport early (start level 76) and the password file
 * and ACL plugins late (90), as an operator's own features might, which makes the window wide:
 * before the fix the broker said it listened before the ACL was in, and a quick client got
 * CONNACK 135 (Not authorized) or a SUBACK 0x87 for its own device.
 */
public class StartupWindowTest {

    private final BrokerProcess broker = new BrokerProcess()
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", "pattern readwrite devices/%c/#\n")
            .withStartLevel("io.meridianmq.transport", 76)
            .withStartLevel("io.meridianmq.authz.acl", 90)
            .withStartLevel("io.meridianmq.auth.file", 90);

    @After
    public void stopBroker() {
        broker.stop();
    }

    @Test
    public void theFirstClientInIsServedWithTheAclInForce() throws Exception {
        CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
            try {
                broker.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1))
                .until(() -> broker.port() != 0 || started.isDone());
        assertTrue("the broker did not start: " + started, broker.port() != 0);
        try (V5Client early = new V5Client(broker.uri(), "early")) {
            // the port is polled, as a reconnecting device would; only "nothing listens yet" may
            // be retried: a refusal fails the test at once
            await().atMost(Duration.ofSeconds(120)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        assertTrue("the broker did not start: " + started, !started.isCompletedExceptionally());
                        try {
                            early.connect();
                            return true;
                        } catch (MqttException e) {
                            assertEquals("the first CONNECT that reached the broker: " + e,
                                    MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR, e.getReasonCode());
                            return false;
                        }
                    });
            assertEquals("its own device", 1, early.subscribe(V5Client.sub("devices/early/state", 1))
                    .getReasonCodes()[0]);
            assertEquals("another device: the ACL is in force", 0x87,
                    early.subscribe(V5Client.sub("devices/other/state", 1)).getReasonCodes()[0]);
        }
        started.get(120, TimeUnit.SECONDS);
        String log = broker.log();
        int aclIn = log.indexOf("Authorization plugin added: io.meridianmq.authz.acl");
        int listening = log.indexOf(broker.listeningLine());
        assertTrue("the ACL plugin is in before the listener opens:\n" + log, aclIn >= 0 && aclIn < listening);
    }
}
