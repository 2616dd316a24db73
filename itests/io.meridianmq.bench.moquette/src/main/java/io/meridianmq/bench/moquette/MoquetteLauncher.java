package io.meridianmq.bench.moquette;

import java.nio.file.Files;
import java.util.Properties;

import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;

/**
 * Moquette, embedded as its README shows, on 127.0.0.1:PORT, anonymous, in memory (the
 * benchmark compares brokers without persistence). The harness waits for the port;
 * it stops on SIGTERM.
 */
public final class MoquetteLauncher {

    private MoquetteLauncher() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("host", "127.0.0.1");
        p.setProperty("port", args[0]);
        p.setProperty("allow_anonymous", "true");
        p.setProperty("persistence_enabled", "false");
        p.setProperty("netty.epoll", "true");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("data_path", Files.createTempDirectory("moquette-bench").toString());
        Server server = new Server();
        server.startServer(new MemoryConfig(p));
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopServer));
        Thread.currentThread().join();
    }
}
