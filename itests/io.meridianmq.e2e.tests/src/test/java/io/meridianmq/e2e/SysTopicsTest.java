package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * {@code $SYS/broker/...} as Mosquitto users read it, with Debian's {@code mosquitto_sub}: the
 * names Mosquitto uses, retained, updated every {@code sys_interval}; not matched by {@code #};
 * cleared when {@code sys_interval = 0}.
 */
public class SysTopicsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    /** Every retained $SYS topic now, topic to value ({@code mosquitto_sub -v}, stops after a quiet second). */
    private static Map<String, String> sysTopics() throws Exception {
        MosquittoCommand sub = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-v", "-t", "$SYS/#",
                "--retained-only", "-W", "2");
        Map<String, String> topics = new LinkedHashMap<>();
        String spaced = "$SYS/broker/retained messages/count";
        for (String line : sub.output().split("\n")) {
            if (line.startsWith(spaced + " ")) { // the one Mosquitto name with a space in it
                topics.put(spaced, line.substring(spaced.length() + 1));
            } else if (line.startsWith("$SYS/") && line.indexOf(' ') > 0) {
                topics.put(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1));
            }
        }
        return topics;
    }

    @Test
    public void aClientCannotWriteTheBrokersFigures() throws Exception {
        try (V5Client forger = new V5Client(BROKER.uri(), "forger")) {
            forger.connect();
            org.eclipse.paho.mqttv5.client.IMqttToken t = forger.publish("$SYS/broker/version", "forged 1.0", 1, true);
            assertEquals("PUBACK 0x87: $SYS is the broker's own", 0x87, t.getReasonCodes()[0]);
        }
        // whether $SYS is on or off (the other test turns it off), the forged value is not kept
        MosquittoCommand version = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-t", "$SYS/broker/version",
                "--retained-only", "-W", "2");
        assertTrue(version.output(), !version.output().contains("forged"));
    }

    @Test
    public void mosquittosNamesRetainedAndUpdated() throws Exception {
        String config = Files.readString(BROKER.home().resolve("etc/io.meridianmq.management.cfg"));
        BROKER.editEtcFile("io.meridianmq.management.cfg", config.replace("sys_interval = 10", "sys_interval = 1"),
                l -> l.contains("$SYS topics published every 1 s"), "publishes $SYS every second");
        for (int i = 0; i < 3; i++) {
            MosquittoCommand pub = MosquittoCommand.run(BROKER.port(), "mosquitto_pub", "-t", "sys/test", "-m", "m" + i,
                    "-q", "1");
            assertEquals(pub.output(), 0, pub.exitCode());
        }
        // the next tick counts them: wait for it by the figure itself
        org.awaitility.Awaitility.await("$SYS counts the three messages").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> Long.parseLong(sysTopics().getOrDefault("$SYS/broker/messages/received", "0")) >= 3);
        Map<String, String> sys = sysTopics();
        for (String name : new String[] {"version", "uptime", "clients/connected", "clients/disconnected",
            "clients/total", "clients/maximum", "clients/expired", "messages/received", "messages/sent",
            "publish/messages/received", "publish/messages/sent", "publish/messages/dropped", "bytes/received",
            "bytes/sent", "subscriptions/count", "retained messages/count", "store/messages/count",
            "store/messages/bytes", "load/messages/received/1min", "load/messages/received/5min",
            "load/messages/received/15min", "load/bytes/sent/1min", "load/connections/15min"}) {
            assertTrue("$SYS/broker/" + name + " in " + sys.keySet(), sys.containsKey("$SYS/broker/" + name));
        }
        assertTrue(sys.get("$SYS/broker/version"), sys.get("$SYS/broker/version").startsWith("Meridian "));
        assertTrue(sys.get("$SYS/broker/uptime"), sys.get("$SYS/broker/uptime").matches("\\d+ seconds"));
        assertEquals("the payloads of m0, m1, m2", "6", sys.get("$SYS/broker/bytes/received"));
        assertTrue(sys.get("$SYS/broker/load/messages/received/1min"),
                Double.parseDouble(sys.get("$SYS/broker/load/messages/received/1min")) > 0);

        MosquittoCommand all = MosquittoCommand.run(BROKER.port(), "mosquitto_sub", "-v", "-t", "#", "-W", "2");
        assertTrue("'#' does not match $SYS topics: " + all.output(), !all.output().contains("$SYS"));

        BROKER.editEtcFile("io.meridianmq.management.cfg", config.replace("sys_interval = 10", "sys_interval = 0"),
                l -> l.contains("$SYS topics are off"), "turns $SYS off");
        assertEquals("cleared", Map.of(), sysTopics());
    }
}
