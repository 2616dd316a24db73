package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Mutual TLS and a token on one listener, both required: the token's user must be the CN of the
 * client certificate the TLS handshake verified ({@code client_certificate = must_match}).
 */
public class OAuthWithClientCertificateTest {

    private static final Path CERTS;
    private static final int MTLS_PORT;

    static {
        try {
            CERTS = Files.createTempDirectory("meridian-oauth-mtls-");
            TestCertificates.caAndServer(CERTS);
            TestCertificates.client(CERTS, "alice", "alice");
            TestCertificates.client(CERTS, "bob", "bob");
            MTLS_PORT = BrokerProcess.freePort();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-auth-oidc")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.listener-mtls.cfg", "host = 127.0.0.1\nport = " + MTLS_PORT + "\nkind = mqtts\n"
                    + "certfile = " + CERTS.resolve("server.pem") + "\nkeyfile = " + CERTS.resolve("server.key") + "\n"
                    + "client_auth = required\ncafile = " + CERTS.resolve("ca.pem") + "\n");

    private static KeycloakServer keycloak;

    @BeforeClass
    public static void requireCertificateAndToken() throws Exception {
        keycloak = KeycloakServer.shared();
        Files.writeString(BROKER.home().resolve("etc/io.meridianmq.auth.oidc.cfg"), "issuer = " + keycloak.issuer()
                + "\naudience = meridian-broker\nclient_certificate = must_match\n");
        BROKER.awaitLog("OAuth 2.0 / OIDC authentication for issuer", Duration.ofSeconds(30));
        BROKER.awaitLog("(listener 'mtls', kind mqtts", Duration.ofSeconds(30));
    }

    @AfterClass
    public static void deleteCertificates() {
        BrokerProcess.deleteTree(CERTS);
    }

    private static void connect(String uri, String p12, String id, String token) throws Exception {
        MqttClient c = new MqttClient(uri, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (p12 != null) {
            o.setSocketFactory(TestCertificates.clientTls(CERTS, p12).getSocketFactory());
        }
        o.setUserName("alice");
        o.setPassword(token.toCharArray());
        try {
            c.connect(o);
            c.disconnect();
        } finally {
            c.close();
        }
    }

    private static void assertRefused(String uri, String p12, String id, String token, String logged) throws Exception {
        try {
            connect(uri, p12, id, token);
            fail(id + " must be refused");
        } catch (MqttException e) {
            assertEquals(MqttException.REASON_CODE_FAILED_AUTHENTICATION, e.getReasonCode());
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> BROKER.log().lines()
                .anyMatch(l -> l.contains("'" + id + "'") && l.contains("refused") && l.contains(logged)));
    }

    @Test
    public void theTokenAndTheCertificateMustNameTheSameUser() throws Exception {
        String token = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        String mtls = "ssl://127.0.0.1:" + MTLS_PORT;
        connect(mtls, "alice.p12", "both-alice", token);
        assertRefused(mtls, "bob.p12", "cert-bob-token-alice", token, "the certificate's CN 'bob' is not the token's user 'alice'");
        assertRefused(BROKER.uri(), null, "token-without-cert", token, "presented no verified certificate");
    }
}
