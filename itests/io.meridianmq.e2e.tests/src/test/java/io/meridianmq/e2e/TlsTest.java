package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * TLS listeners, mqtts through BoringSSL (tls_provider = auto) and wss through the JDK
 * (tls_provider = jdk), with a certificate generated for this run by openssl: Paho v3 over
 * ssl://, Paho v5 over wss://, plain MQTT refused on the TLS port, and a renewed certificate
 * picked up without restart.
 */
public class TlsTest {

    private static final Path CERTS;
    private static final int MQTTS_PORT;
    private static final int WSS_PORT;

    static {
        try {
            CERTS = Files.createTempDirectory("meridian-tls-");
            generate("meridian-test-1");
            MQTTS_PORT = BrokerProcess.freePort();
            WSS_PORT = BrokerProcess.freePort();
        } catch (Exception e) {
            throw new IllegalStateException("cannot prepare certificates with openssl", e);
        }
    }

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-tls.cfg", "host = 127.0.0.1\nport = " + MQTTS_PORT + "\nkind = mqtts\n"
                    + "certfile = " + CERTS.resolve("cert.pem") + "\nkeyfile = " + CERTS.resolve("key.pem") + "\n")
            .withEtcFile("io.meridianmq.listener-wss.cfg", "host = 127.0.0.1\nport = " + WSS_PORT + "\nkind = wss\n"
                    + "certfile = " + CERTS.resolve("cert.pem") + "\nkeyfile = " + CERTS.resolve("key.pem")
                    + "\ntls_version = TLSv1.3\ntls_provider = jdk\n");

    @org.junit.AfterClass
    public static void deleteCertificates() {
        BrokerProcess.deleteTree(CERTS);
    }

    /** A self-signed certificate for 127.0.0.1 with the given common name, written over the old one. */
    private static void generate(String commonName) throws IOException, InterruptedException {
        Path key = CERTS.resolve("key.tmp");
        Path cert = CERTS.resolve("cert.tmp");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + commonName, "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("openssl failed: " + out);
        }
        Files.move(key, CERTS.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(cert, CERTS.resolve("cert.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** An SSL context that trusts exactly the certificate in cert.pem now. */
    private static SSLContext trusting() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(CERTS.resolve("cert.pem"))) {
            trust.setCertificateEntry("meridian", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void awaitListeners() throws InterruptedException {
        BROKER.awaitLog("127.0.0.1:" + MQTTS_PORT + " (listener 'tls', kind mqtts");
        BROKER.awaitLog("127.0.0.1:" + WSS_PORT + " (listener 'wss', kind wss");
    }

    @Test
    public void pahoOverTlsAndSecureWebSocket() throws Exception {
        awaitListeners();
        // each listener says which TLS provider it runs on
        BROKER.awaitLog("io.meridianmq.listener-tls.cfg: TLS through BoringSSL");
        BROKER.awaitLog("io.meridianmq.listener-wss.cfg: TLS through the JDK");
        MqttClient tls = new MqttClient("ssl://127.0.0.1:" + MQTTS_PORT, "tls-v3", new MemoryPersistence());
        Received received = new Received();
        tls.setCallback(received);
        MqttConnectOptions o = new MqttConnectOptions();
        o.setSocketFactory(trusting().getSocketFactory());
        tls.connect(o);
        try (V5Client wss = new V5Client("wss://127.0.0.1:" + WSS_PORT + "/mqtt", "wss-v5")) {
            tls.subscribe("tls/#", 1);
            org.eclipse.paho.mqttv5.client.MqttConnectionOptions o5 = V5Client.options();
            o5.setSocketFactory(trusting().getSocketFactory());
            wss.connect(o5);
            wss.publish("tls/secret", "encrypted both ways", 1, false);
            assertEquals("encrypted both ways", received.next().payload());
        } finally {
            tls.disconnect();
            tls.close();
        }
    }

    @Test
    public void plainMqttOnTheTlsPortIsRefused() throws Exception {
        awaitListeners();
        try (RawMqttSocket raw = new RawMqttSocket(MQTTS_PORT)) {
            raw.send(RawMqttSocket.connect("plain-on-tls"));
            assertTrue("no CONNACK over a TLS port", raw.awaitClosed());
        }
        BROKER.awaitLog("failed, connection closed:"); // with the client's address and the reason
    }

    @Test
    public void aRenewedCertificateIsUsedWithoutRestart() throws Exception {
        awaitListeners();
        assertEquals("CN=meridian-test-1", serverCertificate().getSubjectX500Principal().getName());
        generate("meridian-test-2");
        org.awaitility.Awaitility.await("the renewed certificate in use").atMost(java.time.Duration.ofSeconds(20))
                .pollInterval(java.time.Duration.ofMillis(200))
                .until(() -> serverCertificate().getSubjectX500Principal().getName().equals("CN=meridian-test-2"));
        BROKER.awaitLog("TLS certificate reloaded");
    }

    private static X509Certificate serverCertificate() throws Exception {
        // trust anything here: this only reads which certificate the broker presents
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", MQTTS_PORT)) {
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }
}
