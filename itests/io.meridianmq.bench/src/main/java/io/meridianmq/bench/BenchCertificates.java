package io.meridianmq.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLException;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

/**
 * The TLS material of the TLS scenarios, made once per run with openssl: a server certificate
 * for 127.0.0.1 ({@code server.pem}, {@code server.key}) and a client certificate
 * ({@code client.pem}, {@code client.key}) signed by a CA ({@code ca.pem}) the brokers trust
 * for client certificates. Null when openssl is not there.
 */
final class BenchCertificates {

    private static Path dir;

    private BenchCertificates() {
    }

    static synchronized Path dir() {
        if (dir == null) {
            try {
                Path d = Files.createTempDirectory("bench-tls");
                openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
                        "server.pem", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
                openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                        "-days", "2", "-subj", "/CN=bench-ca");
                openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
                        "-subj", "/CN=bench-client");
                openssl(d, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                        "-CAcreateserial", "-out", "client.pem", "-days", "2");
                for (String f : new String[] {"server.key", "server.pem", "ca.pem"}) {
                    // Mosquitto started as root reads them as the user 'mosquitto'
                    Files.setPosixFilePermissions(d.resolve(f),
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                }
                Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                dir = d;
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return dir;
    }

    /**
     * The load generator's TLS 1.3 client (JDK provider, as Meridian's listener): it trusts any
     * server certificate (a benchmark measures, it does not check who answers) and presents the
     * client certificate when {@code withCertificate}.
     */
    static SslContext client(boolean withCertificate) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols("TLSv1.3");
        if (withCertificate) {
            b.keyManager(dir().resolve("client.pem").toFile(), dir().resolve("client.key").toFile());
        }
        return b.build();
    }

    private static void openssl(Path d, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(d.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
