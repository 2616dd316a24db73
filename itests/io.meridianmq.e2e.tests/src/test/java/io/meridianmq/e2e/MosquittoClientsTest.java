package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/** The broker driven by Debian's mosquitto_pub and mosquitto_sub, as an operator would. */
public class MosquittoClientsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess();

    private final List<Process> processes = new ArrayList<>();

    @BeforeClass
    public static void mosquittoClientsAreInstalled() {
        for (String tool : new String[] {"mosquitto_pub", "mosquitto_sub"}) {
            boolean found = false;
            for (String dir : System.getenv("PATH").split(":")) {
                found |= new java.io.File(dir, tool).canExecute();
            }
            assertTrue(tool + " is missing: install Debian's mosquitto-clients (apt-get install mosquitto-clients)",
                    found);
        }
    }

    @After
    public void stopProcesses() {
        processes.forEach(Process::destroyForcibly);
    }

    private Process start(String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of(command));
        args.add(1, "-p");
        args.add(2, String.valueOf(BROKER.port()));
        args.add(3, "-h");
        args.add(4, "127.0.0.1");
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    /** Runs a command to its end (at most 20 s) and returns what it printed. */
    private String run(String... command) throws Exception {
        Process p = start(command);
        assertTrue(String.join(" ", command) + " did not finish", p.waitFor(20, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(String.join(" ", command) + " failed: " + out, 0, p.exitValue());
        return out;
    }

    @Test
    public void retainedMessageFromMosquittoPubReachesMosquittoSub() throws Exception {
        run("mosquitto_pub", "-t", "mosq/retained", "-m", "kept", "-q", "1", "-r");
        assertEquals("mosq/retained kept\n", run("mosquitto_sub", "-t", "mosq/#", "-v", "-C", "1", "-q", "1"));
    }

    @Test
    public void liveQos2MessageFromMosquittoPubReachesMosquittoSub() throws Exception {
        Process sub = start("mosquitto_sub", "-t", "mosq/live", "-C", "1", "-q", "2", "-i", "mosq-live-sub");
        // mosquitto_sub cannot tell us when its subscription is in place: publish until it has one
        long deadline = System.currentTimeMillis() + 20_000;
        while (sub.isAlive() && System.currentTimeMillis() < deadline) {
            run("mosquitto_pub", "-t", "mosq/live", "-m", "exactly once", "-q", "2");
            sub.waitFor(200, TimeUnit.MILLISECONDS);
        }
        assertTrue("mosquitto_sub received nothing", sub.waitFor(1, TimeUnit.SECONDS));
        assertEquals("exactly once\n", new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    public void persistentSessionQueuesForMosquittoSub() throws Exception {
        // -c: no clean session; -E: exit once the subscription is acknowledged
        run("mosquitto_sub", "-c", "-i", "mosq-persistent", "-t", "mosq/queue", "-q", "1", "-E");
        for (int i = 1; i <= 3; i++) {
            run("mosquitto_pub", "-t", "mosq/queue", "-m", "queued " + i, "-q", "1");
        }
        assertEquals("queued 1\nqueued 2\nqueued 3\n",
                run("mosquitto_sub", "-c", "-i", "mosq-persistent", "-t", "mosq/queue", "-q", "1", "-C", "3"));
    }

    @Test
    public void mqtt31FromMosquittoClients() throws Exception {
        run("mosquitto_pub", "-V", "mqttv31", "-i", "mosq31", "-t", "mosq/v31", "-m", "old", "-r", "-q", "1");
        assertEquals("old\n", run("mosquitto_sub", "-V", "mqttv31", "-i", "mosq31sub", "-t", "mosq/v31", "-C", "1"));
    }
}
