package io.meridianmq.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (Debian's {@code mosquitto}) started by a test on a free port on
 * 127.0.0.1, with persistence in its own folder (so that a stop and start keeps its sessions, as
 * Mosquitto does), stopped and removed by {@link #close}.
 */
final class MosquittoBroker implements AutoCloseable {

    static final String BINARY = "/usr/sbin/mosquitto";

    final int port;
    final Path dir;
    private final Path config;
    private Process process;

    /** @param extra more lines for {@code mosquitto.conf} (e.g. a TLS listener), or "" */
    MosquittoBroker(String extra) throws IOException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new AssertionError(BINARY + " is missing: install Debian's mosquitto (apt-get install mosquitto)");
        }
        port = BrokerProcess.freePort();
        dir = Files.createTempDirectory("mosquitto-e2e-");
        config = dir.resolve("mosquitto.conf");
        // user root: as root Mosquitto would switch to the user mosquitto, who cannot write here
        Files.writeString(config, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence true\n"
                + "persistence_location " + dir + "/\nlog_dest file " + dir.resolve("mosquitto.log") + "\n"
                + "log_type all\nuser root\nmax_queued_messages 100000\n" + extra);
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    MosquittoBroker start() throws IOException {
        process = new ProcessBuilder(BINARY, "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        ServerProcesses.awaitListening("mosquitto", process, port, Duration.ofSeconds(20), this::log);
        return this;
    }

    /** Stops Mosquitto as an operator would (SIGTERM: it saves its sessions first). */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        stop();
        if (!Boolean.getBoolean("meridian.e2e.keep")) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
