package io.meridianmq.bench.hivemq;

import java.nio.file.Files;
import java.nio.file.Path;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * HiveMQ Community Edition, embedded (its documented embedded API), on 127.0.0.1:PORT, in
 * memory, with the queue limit the other brokers get. The harness waits for the port;
 * it stops on SIGTERM.
 */
public final class HiveMqLauncher {

    private HiveMqLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Files.createTempDirectory("hivemq-bench");
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), "<?xml version=\"1.0\"?>\n<hivemq>\n"
                + "  <listeners><tcp-listener><port>" + args[0] + "</port><bind-address>127.0.0.1</bind-address>"
                + "</tcp-listener></listeners>\n"
                + "  <mqtt><queued-messages><max-queue-size>" + args[1] + "</max-queue-size></queued-messages></mqtt>\n"
                + "  <persistence><mode>in-memory</mode></persistence>\n"
                + "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n"
                + "</hivemq>\n");
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(home.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(home.resolve("extensions"))).build();
        hivemq.start().join();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> hivemq.stop().join()));
        Thread.currentThread().join();
    }
}
