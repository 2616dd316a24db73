package io.meridianmq.e2e;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Supplier;

import org.awaitility.Awaitility;

/** What the tests' peer servers (Mosquitto, Kafka) share: waiting until a started one listens. */
final class ServerProcesses {

    private ServerProcesses() {
    }

    /**
     * Waits until {@code process} accepts connections on 127.0.0.1:{@code port}; fails at once,
     * with {@code output} (what it printed), should it end first.
     */
    static void awaitListening(String name, Process process, int port, Duration atMost, Supplier<String> output) {
        Awaitility.await(name + " listens on " + port).atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " ended at start: " + output.get());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }
}
