package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 1: {@code %c} and {@code %u} in ACL {@code pattern} lines are pasted in
 * literally. A client id that holds {@code #}, {@code +} or {@code /} would otherwise widen
 * {@code pattern readwrite devices/%c/#} to other devices' topics; here it matches nothing, for
 * reading and for writing, with Debian's mosquitto clients as the attacker's tools.
 */
public class AclSubstitutionAttackTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.authz.acl.cfg", "acl_file = etc/acl\n")
            .withEtcFile("acl", "pattern readwrite devices/%c/#\n");

    private static final String[] HOSTILE_IDS = {"#", "+", "a/b"};

    @Test
    public void anOrdinaryClientIdGetsItsOwnDevice() throws Exception {
        // the control: without it, a broker that refuses everything would pass the attacks below
        MosquittoCommand sub = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv5", "-i", "dev1",
                "-t", "devices/dev1/state", "-q", "1", "-d", "-E");
        assertEquals(sub.output(), 1, sub.subscribeResult());
    }

    @Test
    public void aWildcardOrSlashInTheClientIdCannotSubscribeToAnotherDevice() throws Exception {
        for (String id : HOSTILE_IDS) {
            for (String topic : new String[] {"devices/victim/state", "devices/#", "devices/a/b/x"}) {
                MosquittoCommand v5 = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv5", "-i", id,
                        "-t", topic, "-q", "1", "-d", "-E");
                assertEquals("client id '" + id + "' subscribing to " + topic + ": " + v5.output(), 0x87,
                        v5.subscribeResult());
                MosquittoCommand v3 = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-V", "mqttv311", "-i",
                        id, "-t", topic, "-q", "1", "-d", "-E");
                assertEquals("client id '" + id + "' subscribing to " + topic + " (3.1.1): " + v3.output(), 0x80,
                        v3.subscribeResult());
            }
        }
    }

    @Test
    public void aWildcardOrSlashInTheClientIdCannotPublishToAnotherDevice() throws Exception {
        try (V5Client victim = new V5Client(BROKER.uri(), "victim")) {
            victim.connect(V5Client.options());
            assertEquals(1, victim.subscribe(V5Client.sub("devices/victim/#", 1)).getReasonCodes()[0]);
            for (String id : HOSTILE_IDS) {
                String topic = id.equals("a/b") ? "devices/a/b/cmd" : "devices/victim/cmd";
                MosquittoCommand pub = MosquittoCommand.run(BROKER.port(), "mosquitto_pub", "-V", "mqttv5", "-i", id,
                        "-t", topic, "-q", "1", "-m", "forged by " + id);
                assertTrue("client id '" + id + "' publishing to " + topic + ": " + pub.output(),
                        pub.output().contains("Not authorized"));
                // 3.1.1 has no negative PUBACK: the message must simply not arrive
                MosquittoCommand.run(BROKER.port(), "mosquitto_pub", "-V", "mqttv311", "-i", id, "-t",
                        "devices/victim/cmd", "-q", "1", "-m", "forged by " + id);
            }
            // the victim's own message, published after every forged one was acknowledged,
            // is the first it receives
            victim.publish("devices/victim/cmd", "genuine", 1, false);
            assertEquals("genuine", victim.next().text());
        }
        BROKER.awaitLogLine(l -> l.contains("'#'") && l.contains("devices/%c/#"),
                "a log line naming client '#' and the rule that matches nothing for it");
    }
}
