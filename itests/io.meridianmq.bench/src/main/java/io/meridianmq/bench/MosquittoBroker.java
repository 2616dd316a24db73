package io.meridianmq.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Debian's mosquitto. */
final class MosquittoBroker extends BrokerUnderTest {
    /** The two TLS 1.3 listeners, as Meridian's: the options after a listener line are that listener's. */
    private String tlsListeners() {
        Path tls = BenchCertificates.dir();
        String common = "certfile " + tls.resolve("server.pem") + "\nkeyfile " + tls.resolve("server.key")
                + "\ntls_version tlsv1.3\n";
        return "listener " + tlsPort + " 127.0.0.1\n" + common + "listener " + mtlsPort + " 127.0.0.1\n" + common
                + "cafile " + tls.resolve("ca.pem") + "\nrequire_certificate true\n";
    }

    /** With {@code persistence true} (saved at autosave and at exit, not per message): durable scenarios only. */
    private final boolean persistent;

    MosquittoBroker() throws IOException {
        this(false);
    }

    MosquittoBroker(boolean persistent) throws IOException {
        super(persistent ? "Mosquitto, persistence true" : "Mosquitto");
        this.persistent = persistent;
    }

    @Override
    boolean durableOnly() {
        return persistent;
    }

    @Override
    boolean jvm() {
        return false;
    }

    @Override
    boolean givenSecurity() {
        return true;
    }

    @Override
    ProcessBuilder command() throws IOException {
        Path conf = home.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\n"
                + (persistent ? "persistence true\npersistence_location " + home + "/\n" : "persistence false\n")
                + (passwordFile() == null ? "" : "password_file " + passwordFile() + "\n")
                + (!speaksTls() ? "" : tlsListeners())
                + "max_queued_messages " + queueLimit() + "\nlog_dest stdout\nlog_type error\n"
                + (logConnects() ? "log_type notice\n" : ""),
                StandardCharsets.UTF_8);
        return new ProcessBuilder("mosquitto", "-c", conf.toString());
    }
}
