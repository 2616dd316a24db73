package io.meridianmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Meridian distribution, unpacked fresh, started with bin/meridian. */
final class MeridianBroker extends BrokerUnderTest {
    private final Path archive;
    private final String heap;

    /** Meridian's tls_provider (auto: BoringSSL when it loads); jdk to compare the JDK's TLS. */
    private static final String TLS_PROVIDER = System.getProperty("bench.meridian.tls_provider", "auto");

    /** With its store on, as shipped ({@code sync = always}): only the durable scenarios run against it. */
    private final boolean durable;

    MeridianBroker(Path archive, String heap) throws IOException {
        this(archive, heap, false);
    }

    MeridianBroker(Path archive, String heap, boolean durable) throws IOException {
        super((durable ? "Meridian, store with sync = always" : "Meridian")
                + (TLS_PROVIDER.equals("auto") ? "" : " (tls_provider = " + TLS_PROVIDER + ")"));
        this.archive = archive;
        this.heap = heap;
        this.durable = durable;
    }

    @Override
    boolean durableOnly() {
        return durable;
    }

    @Override
    boolean givenSecurity() {
        return true;
    }

    @Override
    ProcessBuilder command() throws IOException {
        try {
            Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", home.toString(),
                    "--strip-components=1").inheritIO().start();
            if (tar.waitFor() != 0) {
                throw new IOException("cannot unpack " + archive);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Path etc = home.resolve("etc");
        Files.writeString(etc.resolve("io.meridianmq.listener-default.cfg"),
                "host = 127.0.0.1\nport = " + port + "\nkind = mqtt\n");
        Files.writeString(etc.resolve("io.meridianmq.broker.cfg"), "allow_anonymous = true\n"
                + "max_queued_messages = " + queueLimit() + "\nmax_queued_bytes = 1073741824\n");
        Files.writeString(etc.resolve("io.meridianmq.storage.cfg"), durable ? "persistence = true\nsync = always\n"
                : "persistence = false\n");
        if (passwordFile() != null) {
            Files.writeString(etc.resolve("io.meridianmq.auth.file.cfg"), "password_file = " + passwordFile() + "\n");
        }
        if (!logConnects()) {
            Files.writeString(etc.resolve("org.ops4j.pax.logging.cfg"),
                    "\nlog4j2.logger.clients.name = io.meridianmq.clients\nlog4j2.logger.clients.level = WARN\n",
                    java.nio.file.StandardOpenOption.APPEND);
        }
        if (speaksTls()) {
            Path tls = BenchCertificates.dir();
            String common = "host = 127.0.0.1\nkind = mqtts\ncertfile = " + tls.resolve("server.pem")
                    + "\nkeyfile = " + tls.resolve("server.key") + "\ntls_version = TLSv1.3\ntls_provider = " + TLS_PROVIDER
                    + "\n";
            Files.writeString(etc.resolve("io.meridianmq.listener-tls.cfg"), "name = tls\nport = " + tlsPort + "\n"
                    + common);
            Files.writeString(etc.resolve("io.meridianmq.listener-mtls.cfg"), "name = mtls\nport = " + mtlsPort
                    + "\n" + common + "client_auth = required\ncafile = " + tls.resolve("ca.pem") + "\n");
        }
        Files.writeString(etc.resolve("io.meridianmq.protocol.cfg"), "max_connections = -1\n"
                + System.getProperty("bench.meridian.protocol", "").replace(";", "\n") + "\n");
        Files.writeString(etc.resolve("io.meridianmq.transport.cfg"),
                "io_threads = " + Integer.getInteger("bench.meridian.io_threads", 0) + "\n");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/meridian").toString());
        pb.environment().put("JAVA_MIN_MEM", heap);
        pb.environment().put("JAVA_MAX_MEM", heap);
        pb.environment().put("EXTRA_JAVA_OPTS", "-Xlog:gc:file=" + home.resolve("gc.log") + " "
                + System.getProperty("bench.meridian.jvm", ""));
        return pb;
    }
}
