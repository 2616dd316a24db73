package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * PROXY protocol listeners (the real client address reaches authentication and logs) and client
 * certificates as identity (use_identity_as_username), with Paho clients; the PROXY header is
 * added by a small relay standing in for a load balancer, certificates are made by openssl.
 */
public class ProxyAndCertificateIdentityTest {

    private static final Path CERTS;
    private static final int PROXIED_PORT;
    private static final int MTLS_PORT;
    private static final int CRL_PORT;

    static {
        try {
            CERTS = Files.createTempDirectory("meridian-mtls-");
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                    "-subj", "/CN=test-ca");
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.pem",
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
                    "/CN=device-42/O=Meridian Tests");
            openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                    "client.pem", "-days", "2");
            openssl("pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12", "-passout",
                    "pass:changeit");
            // a small CA that can revoke: good.pem stays valid, bad.pem is in crl.pem
            Files.writeString(CERTS.resolve("ca.cnf"), "[ca]\ndefault_ca = test_ca\n[test_ca]\ndir = .\n"
                    + "database = index.txt\nnew_certs_dir = .\nserial = serial\ncrlnumber = crlnumber\n"
                    + "default_md = sha256\ndefault_days = 2\ndefault_crl_days = 2\npolicy = any\n"
                    + "[any]\ncommonName = supplied\n");
            Files.writeString(CERTS.resolve("index.txt"), "");
            Files.writeString(CERTS.resolve("serial"), "1000\n");
            Files.writeString(CERTS.resolve("crlnumber"), "1000\n");
            for (String who : new String[] {"good", "bad"}) {
                openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj",
                        "/CN=" + who + "-device");
                openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", who + ".csr",
                        "-out", who + ".pem");
                openssl("pkcs12", "-export", "-in", who + ".pem", "-inkey", who + ".key", "-out", who + ".p12",
                        "-passout", "pass:changeit");
            }
            // expired: signed by the trusted CA, valid only in 2020
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key", "-out", "expired.csr", "-subj",
                    "/CN=expired-device");
            openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-in", "expired.csr",
                    "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-out", "expired.pem");
            openssl("pkcs12", "-export", "-in", "expired.pem", "-inkey", "expired.key", "-out", "expired.p12",
                    "-passout", "pass:changeit");
            // a stranger: a valid certificate from a CA the broker does not trust
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem",
                    "-days", "2", "-subj", "/CN=other-ca");
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.csr", "-subj",
                    "/CN=stranger-device");
            openssl("x509", "-req", "-in", "stranger.csr", "-CA", "other-ca.pem", "-CAkey", "other-ca.key",
                    "-CAcreateserial", "-out", "stranger.pem", "-days", "2");
            openssl("pkcs12", "-export", "-in", "stranger.pem", "-inkey", "stranger.key", "-out", "stranger.p12",
                    "-passout", "pass:changeit");
            openssl("ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-revoke", "bad.pem");
            openssl("ca", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key", "-gencrl", "-out", "crl.pem");
            PROXIED_PORT = BrokerProcess.freePort();
            MTLS_PORT = BrokerProcess.freePort();
            CRL_PORT = BrokerProcess.freePort();
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare the test certificates", e);
        }
    }

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-proxied.cfg", "host = 127.0.0.1\nport = " + PROXIED_PORT
                    + "\nkind = mqtt\nproxy_protocol = true\n")
            .withEtcFile("io.meridianmq.listener-mtls.cfg", "host = 127.0.0.1\nport = " + MTLS_PORT + "\nkind = mqtts\n"
                    + "certfile = " + CERTS.resolve("server.pem") + "\nkeyfile = " + CERTS.resolve("server.key") + "\n"
                    + "client_auth = required\ncafile = " + CERTS.resolve("ca.pem") + "\nuse_identity_as_username = true\n")
            .withEtcFile("io.meridianmq.listener-crl.cfg", "host = 127.0.0.1\nport = " + CRL_PORT + "\nkind = mqtts\n"
                    + "certfile = " + CERTS.resolve("server.pem") + "\nkeyfile = " + CERTS.resolve("server.key") + "\n"
                    + "client_auth = required\ncafile = " + CERTS.resolve("ca.pem") + "\ncrlfile = "
                    + CERTS.resolve("crl.pem") + "\nuse_identity_as_username = true\n");

    @org.junit.AfterClass
    public static void deleteCertificates() {
        BrokerProcess.deleteTree(CERTS);
    }

    private static void openssl(String... args) throws IOException, InterruptedException {
        TestCertificates.openssl(CERTS, args);
    }

    /** A one-connection relay that prepends a PROXY v1 header, as HAProxy would. */
    private static int relay(String sourceAddress, int sourcePort) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (server; Socket client = server.accept(); Socket broker = new Socket("127.0.0.1", PROXIED_PORT)) {
                OutputStream up = broker.getOutputStream();
                up.write(("PROXY TCP4 " + sourceAddress + " 127.0.0.1 " + sourcePort + " " + PROXIED_PORT + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                Thread back = new Thread(() -> pump(broker, client));
                back.start();
                pump(client, broker);
                back.join(5000);
            } catch (Exception e) {
                // the test sees what the client saw
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed
        }
    }

    private static void connectThrough(int port, String id) throws MqttException {
        MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        try {
            c.connect(o);
            c.disconnect();
        } finally {
            c.close();
        }
    }

    @Test
    public void theRealClientAddressDecidesAnonymousAccessAndIsLogged() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + PROXIED_PORT + " (listener 'proxied', kind mqtt, PROXY protocol");
        try {
            connectThrough(relay("203.0.113.7", 40001), "from-afar");
            fail("a client from 203.0.113.7 is not on loopback: allow_anonymous = loopback refuses it");
        } catch (MqttException e) {
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, e.getReasonCode());
        }
        BROKER.awaitLog("Connection of client 'from-afar' (203.0.113.7:40001) refused");
        connectThrough(relay("127.0.0.9", 40002), "from-near");
        BROKER.awaitLog("Client 'from-near' (127.0.0.9:40002) connected");
    }

    @Test
    public void aMalformedProxyHeaderClosesTheConnection() throws Exception {
        BROKER.awaitLog("(listener 'proxied'");
        try (RawMqttSocket raw = new RawMqttSocket(PROXIED_PORT)) {
            raw.send("PROXY NONSENSE\r\n".getBytes(StandardCharsets.US_ASCII));
            assertTrue(raw.awaitClosed());
        }
        BROKER.awaitLog("malformed PROXY protocol header");
    }

    @Test
    public void revokedClientCertificatesAreRefused() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + CRL_PORT + " (listener 'crl', kind mqtts");
        MqttClient good = new MqttClient("ssl://127.0.0.1:" + CRL_PORT, "crl-good", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(clientTls("good.p12").getSocketFactory());
        good.connect(o);
        good.disconnect();
        good.close();
        BROKER.awaitLog("user 'good-device'");
        MqttClient bad = new MqttClient("ssl://127.0.0.1:" + CRL_PORT, "crl-bad", new MemoryPersistence());
        MqttConnectOptions ob = new MqttConnectOptions();
        ob.setSocketFactory(clientTls("bad.p12").getSocketFactory());
        try {
            bad.connect(ob);
            fail("a revoked certificate must not get through the TLS handshake");
        } catch (MqttException expected) {
            // the handshake fails
        } finally {
            bad.close();
        }
    }

    @Test
    public void theClientCertificatesCommonNameIsTheUserName() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + MTLS_PORT + " (listener 'mtls', kind mqtts");
        SSLContext ctx = clientTls("client.p12");
        MqttClient c = new MqttClient("ssl://127.0.0.1:" + MTLS_PORT, "device", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(ctx.getSocketFactory());
        o.setUserName("ignored"); // the certificate, not the CONNECT, names the user
        try {
            c.connect(o);
        } catch (MqttException e) {
            throw new AssertionError("mutual TLS connection failed: " + e + "\n" + BROKER.tail(), e);
        }
        c.disconnect();
        c.close();
        BROKER.awaitLog("Client 'device' (127.0.0.1:");
        BROKER.awaitLog("user 'device-42'");
    }

    @Test
    public void mosquittoClientsOverMutualTlsWithCafileCertAndKey() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + MTLS_PORT + " (listener 'mtls', kind mqtts");
        List<String> tls = List.of("-h", "127.0.0.1", "-p", String.valueOf(MTLS_PORT), "--cafile",
                CERTS.resolve("server.pem").toString(), "--cert", CERTS.resolve("client.pem").toString(), "--key",
                CERTS.resolve("client.key").toString(), "-q", "1");
        // retained, so that the subscriber gets it whenever it arrives
        run(concat(List.of("mosquitto_pub", "-i", "mosq-mtls-pub", "-t", "mtls/greeting", "-m", "hello over mTLS",
                "-r"), tls));
        String got = run(concat(List.of("mosquitto_sub", "-i", "mosq-mtls-sub", "-t", "mtls/greeting", "-C", "1", "-W",
                "20"), tls));
        assertEquals("hello over mTLS", got.trim());
        BROKER.awaitLog("Client 'mosq-mtls-sub' (127.0.0.1:");
        run(concat(List.of("mosquitto_pub", "-i", "mosq-mtls-clear", "-t", "mtls/greeting", "-n", "-r"), tls));
    }

    @Test
    public void expiredAndUntrustedClientCertificatesAreRefusedWithALogLine() throws Exception {
        BROKER.awaitLog("127.0.0.1:" + MTLS_PORT + " (listener 'mtls', kind mqtts");
        for (String p12 : List.of("expired.p12", "stranger.p12")) {
            MqttClient c = new MqttClient("ssl://127.0.0.1:" + MTLS_PORT, "refused-" + p12, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setSocketFactory(clientTls(p12).getSocketFactory());
            try {
                c.connect(o);
                fail(p12 + " must not get through the TLS handshake");
            } catch (MqttException expected) {
                // the handshake fails
            } finally {
                c.close();
            }
        }
        // the client may see its handshake fail before the broker has written its line
        BROKER.awaitLog("failed, connection closed: NotAfter");
        // the JDK client offers no certificate the broker's CA list does not name (or offers the
        // stranger's, refused by the trust manager; OpenSSL and the JDK differ): refused all the same
        BROKER.awaitLogLine(l -> l.contains("on listener 'mtls' failed, connection closed") && !l.contains("NotAfter"),
                "the stranger's refusal");
        String log = BROKER.log();
        assertTrue(log, log.contains("failed, connection closed: Empty client certificate chain")
                || log.contains("unable to find valid certification path")
                || log.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE"));
        // and the broker keeps serving
        connectThrough(BROKER.port(), "still-served");
    }

    @Test
    public void aTruncatedProxyHeaderClosesTheConnection() throws Exception {
        BROKER.awaitLog("(listener 'proxied'");
        try (Socket socket = new Socket("127.0.0.1", PROXIED_PORT)) {
            socket.getOutputStream().write("PROXY TCP4 203.0.113.9 127.0".getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput(); // the header never ends
            socket.setSoTimeout(20_000);
            assertEquals("closed without an answer", -1, socket.getInputStream().read());
        }
        BROKER.awaitLog("truncated PROXY protocol header");
        connectThrough(BROKER.port(), "served-after-truncated-proxy");
    }

    @Test
    public void tlsToAPlainPortIsClosedWithALogLine() throws Exception {
        SSLContext ctx = clientTls("client.p12");
        int localPort;
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                .createSocket("127.0.0.1", BROKER.port())) {
            socket.setSoTimeout(20_000);
            localPort = socket.getLocalPort();
            try {
                socket.startHandshake();
                fail("a plain MQTT port cannot complete a TLS handshake");
            } catch (IOException expected) {
                // closed by the broker
            }
        }
        // a TLS ClientHello starts with 0x16: a CONNECT with reserved flags, refused as malformed
        BROKER.awaitLog("127.0.0.1:" + localPort + " (before CONNECT): malformed packet");
        connectThrough(BROKER.port(), "served-after-tls-on-plain");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " failed: " + out + "\n" + BROKER.tail());
        }
        return out;
    }

    /** TLS with a client certificate from {@code p12} that trusts the broker's certificate. */
    private static SSLContext clientTls(String p12) throws Exception {
        return TestCertificates.clientTls(CERTS, p12);
    }
}
