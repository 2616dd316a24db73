package io.meridianmq.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

/**
 * A short run of every scenario against every broker the benchmark knows, so the harness and
 * the launchers cannot rot. It checks that each scenario ran (a peer broker may fail the one with
 * stalled subscribers: that is its result) and that Meridian and the relay lost no QoS 1 message; it asserts nothing about speed (the full run is {@link MqttBenchmark}).
 */
public class HarnessSmokeTest {

    private static Map<String, Result> smoke(String broker) throws Exception {
        try (BrokerUnderTest b = BenchmarkMain.create(broker, "512m")) {
            b.start();
            Map<String, Result> results = BenchmarkMain.runAll(b, Scenarios.Scale.smoke());
            for (Map.Entry<String, Result> e : results.entrySet()) {
                if (e.getKey().contains("stalled") && !broker.equals("meridian") && !broker.equals("relay")) {
                    // how a peer broker copes with subscribers that stop reading is what the scenario
                    // measures (Moquette closes connections): a failure there is a figure, not a harness fault
                    continue;
                }
                if (e.getKey().startsWith("held")) {
                    // whether a rate is held with p99 under 10 ms on a loaded test machine is a figure, not
                    // a harness fault: the search must have run its trials
                    assertTrue(broker + ", " + e.getKey() + ": " + e.getValue().detail(),
                            e.getValue().detail().contains("trials: ["));
                    continue;
                }
                assertTrue(broker + ", " + e.getKey() + ": " + e.getValue().detail(), e.getValue().ok());
                if (!e.getKey().startsWith("idle")) { // a few idle connections can be lost in the noise
                    assertTrue(broker + ", " + e.getKey() + ": " + e.getValue().detail(), e.getValue().value() > 0);
                }
            }
            int storms = BenchmarkMain.ScenarioRunner.stormCount(b); // with passwords, MQTT 5: where the broker can
            if (b.durableOnly()) {
                assertEquals(results.keySet().toString(), 2, results.size());
                return results;
            }
            int held = 6; // fan-in, fan-out, pairs at QoS 0 and 1
            int tls = b.speaksTls() ? 4 : 0; // fan-in QoS 1 and a storm, without and with a client certificate
            int durable = b.keepsSessions() ? 2 : 0; // fan-in into a persistent session, a queue replayed
            assertEquals(6 + storms + held + tls + durable + Scenarios.Scale.smoke().latencyRates().length * 3 + 1,
                    results.size()); // latency at QoS 0, 1 and 2 per rate, and once during a storm
            return results;
        }
    }

    private static void assertNoQos1Loss(String broker, Map<String, Result> results) {
        results.forEach((scenario, r) -> {
            if (scenario.contains("QoS 1") || scenario.contains("QoS 2") || scenario.startsWith("durable")) {
                assertEquals(broker + ", " + scenario + ": " + r.detail(), 0, r.lost());
            }
        });
    }

    @Test
    public void meridian() throws Exception {
        assertNoQos1Loss("meridian", smoke("meridian"));
    }

    @Test
    public void relay() throws Exception {
        assertNoQos1Loss("relay", smoke("relay"));
    }

    @Test
    public void meridianWithItsStore() throws Exception {
        assertNoQos1Loss("meridian-durable", smoke("meridian-durable"));
    }

    @Test
    public void mosquittoWithPersistence() throws Exception {
        smoke("mosquitto-persistent");
    }

    @Test
    public void mosquitto() throws Exception {
        smoke("mosquitto");
    }

    @Test
    public void moquette() throws Exception {
        smoke("moquette");
    }

    @Test
    public void hivemq() throws Exception {
        smoke("hivemq");
    }
}
