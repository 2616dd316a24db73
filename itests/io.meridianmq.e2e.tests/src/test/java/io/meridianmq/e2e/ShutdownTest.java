package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;

import org.junit.Rule;
import org.junit.Test;

/** A clean stop of the distribution tells MQTT 5 clients why (MQTT 5.0 section 3.14: 0x8B). */
public class ShutdownTest {

    @Rule
    public final BrokerProcess broker = new BrokerProcess();

    @Test
    public void s3_14_cleanStopSendsServerShuttingDown() throws Exception {
        try (V5Client c = new V5Client(broker.uri(), "shutdown-watcher")) {
            c.connect();
            broker.stop(); // SIGTERM, as systemd or Ctrl-C would
            assertEquals(0x8B, c.awaitDisconnect().getReturnCode());
        }
    }
}
