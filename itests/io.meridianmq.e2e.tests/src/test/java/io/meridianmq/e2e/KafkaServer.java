package io.meridianmq.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka 4 in KRaft mode (broker and controller in one process), from the jars Maven
 * resolved for {@code itests/io.meridianmq.kafka.server}, started by a test on free ports with its
 * logs in its own folder (kept across {@link #stop} and {@link #start}, as a restarted Kafka keeps
 * its topics), and removed by {@link #close}.
 */
final class KafkaServer implements AutoCloseable {

    final int port;
    private final int controllerPort;
    final Path dir;
    private final Path config;
    private final String classpath;
    private Process process;

    KafkaServer() throws IOException, InterruptedException {
        String listFile = System.getProperty("meridian.kafka.classpath");
        if (listFile == null || !Files.isRegularFile(Path.of(listFile))) {
            throw new IllegalStateException("Kafka's class path (" + listFile + ") is missing: build "
                    + "itests/io.meridianmq.kafka.server first (mvn install from the top folder)");
        }
        classpath = Files.readString(Path.of(listFile)).trim();
        port = BrokerProcess.freePort();
        controllerPort = BrokerProcess.freePort();
        dir = Files.createTempDirectory("kafka-e2e-");
        config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1", "group.initial.rebalance.delay.ms=0",
                "num.partitions=1", "auto.create.topics.enable=true", ""));
        run(List.of("kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", config.toString()));
    }

    /** A KRaft cluster id: 16 random bytes, URL-safe Base64 without padding. */
    private static String clusterId() {
        UUID u = UUID.randomUUID();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        b.putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    private void run(List<String> mainAndArgs) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(javaBinary(), "-cp", classpath));
        command.addAll(mainAndArgs);
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.out").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("Kafka's storage format failed: " + Files.readString(dir.resolve("format.out")));
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    KafkaServer start() throws IOException {
        process = new ProcessBuilder(javaBinary(), "-Xmx512m", "-cp", classpath, "kafka.Kafka", config.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("kafka.out")
                        .toFile())).start();
        ServerProcesses.awaitListening("Kafka", process, port, Duration.ofSeconds(90), () -> {
            try {
                return Files.readString(dir.resolve("kafka.out"));
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        });
        return this;
    }

    /** Stops Kafka as an operator would (SIGTERM); its logs stay for {@link #start}. */
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
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
