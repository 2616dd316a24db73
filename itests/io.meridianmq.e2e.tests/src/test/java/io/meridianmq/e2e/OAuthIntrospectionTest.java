package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Token introspection (RFC 7662) at a real Keycloak with the broker's client credentials: an
 * active token is accepted, a token revoked in Keycloak and a made-up opaque token are refused.
 */
public class OAuthIntrospectionTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-auth-oidc")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n");

    private static KeycloakServer keycloak;

    @BeforeClass
    public static void configureIntrospection() throws Exception {
        keycloak = KeycloakServer.shared();
        java.nio.file.Files.writeString(BROKER.home().resolve("etc/io.meridianmq.auth.oidc.cfg"),
                "issuer = " + keycloak.issuer() + "\n"
                + "audience = meridian-broker\n"
                + "introspect = always\n"
                + "client_id = meridian-broker\n"
                + "client_secret = broker-secret\n"
                + "introspection_negative_cache_seconds = 2\n");
        BROKER.awaitLog("introspection always", Duration.ofSeconds(30));
    }

    private static void connect(String id, String user, String token) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(BROKER.uri(), id, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(user);
        o.setPassword(token.getBytes(StandardCharsets.UTF_8));
        try {
            c.connect(o).waitForCompletion(20_000);
            c.disconnect().waitForCompletion(5_000);
        } finally {
            c.close();
        }
    }

    private static void assertRefused(String what, String id, String token, String logged) throws Exception {
        try {
            connect(id, "alice", token);
            fail(what + " must be refused");
        } catch (MqttException e) {
            assertEquals(what, 0x86, e.getReasonCode());
        }
        String line = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> BROKER.log().lines().filter(l -> l.contains("'" + id + "'") && l.contains("refused"))
                        .findFirst().orElse(null), java.util.Objects::nonNull);
        assertTrue(what + ": " + line, line.contains(logged));
    }

    @Test
    public void anActiveTokenIsAcceptedAndARevokedOneIsRefused() throws Exception {
        connect("intro-alice", "alice", keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw"));
        String revoked = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        keycloak.revoke(revoked, "meridian-app", "app-secret");
        assertRefused("revoked token", "intro-revoked", revoked, "not active");
    }

    @Test
    public void anUnknownOpaqueTokenIsRefused() throws Exception {
        assertRefused("made-up opaque token", "intro-opaque", "8f14e45fceea167a5a36dedd4bea2543", "not active");
    }
}
