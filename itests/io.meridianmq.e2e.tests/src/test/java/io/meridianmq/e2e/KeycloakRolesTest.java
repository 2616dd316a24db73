package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Realm roles and groups in a real Keycloak as topic permissions: a role granted or removed in
 * Keycloak applies to a connected client after {@code meridian:keycloak-sync}, without a
 * reconnect; an operator prints a user's effective permissions; when Keycloak refuses the broker
 * the last good permissions stay and a warning says so.
 */
public class KeycloakRolesTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-authz-keycloak")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n");

    private static KeycloakServer keycloak;

    @BeforeClass
    public static void configure() throws Exception {
        keycloak = KeycloakServer.shared();
        Files.writeString(BROKER.home().resolve("etc/io.meridianmq.auth.oidc.cfg"), "issuer = " + keycloak.issuer()
                + "\naudience = meridian-broker\n");
        Files.writeString(BROKER.home().resolve("etc/io.meridianmq.authz.keycloak.cfg"),
                "server_url = " + keycloak.base() + "\n"
                + "realm = meridian\n"
                + "client_id = meridian-broker\n"
                + "client_secret = broker-secret\n"
                + "sync_interval_seconds = 3600\n"
                + "use_token_roles = false\n"
                + "rule.1 = role sensor-writer write sensors/%u/#\n"
                + "rule.2 = role sensor-reader read sensors/#\n"
                + "rule.3 = group /operators readwrite ops/#\n");
        BROKER.awaitLog("Keycloak permissions: realm meridian", Duration.ofSeconds(30));
        BROKER.awaitLog("Keycloak sync: ", Duration.ofSeconds(60));
    }

    private static V5Client connect(String id, String user, String password) throws Exception {
        V5Client c = new V5Client(BROKER.uri(), id);
        MqttConnectionOptions o = V5Client.options();
        o.setUserName(user);
        o.setPassword(keycloak.passwordToken("meridian-app", "app-secret", user, password)
                .getBytes(StandardCharsets.UTF_8));
        c.connect(o);
        return c;
    }

    private static int subscribe(V5Client c, String filter) throws Exception {
        IMqttToken t = c.subscribe(V5Client.sub(filter, 1));
        return t.getReasonCodes()[0];
    }

    @Test
    public void aRoleGrantedAndRemovedInKeycloakAppliesToAConnectedClientAfterASync() throws Exception {
        try (V5Client bob = connect("roles-bob", "bob", "bob-pw")) {
            assertEquals("bob may not read sensors yet", 0x87, subscribe(bob, "sensors/#"));

            keycloak.realmRole("bob", "sensor-reader", true);
            String sync = BROKER.shell("meridian:keycloak-sync");
            assertTrue(sync, sync.contains("+bob role:sensor-reader"));
            assertEquals("granted without a reconnect", 1, subscribe(bob, "sensors/#"));
            String perms = BROKER.shell("meridian:permissions bob");
            assertTrue(perms, perms.contains("role:sensor-reader") && perms.contains("read sensors/#"));

            keycloak.realmRole("bob", "sensor-reader", false);
            sync = BROKER.shell("meridian:keycloak-sync");
            assertTrue(sync, sync.contains("-bob role:sensor-reader"));
            assertEquals("removed without a reconnect", 0x87, subscribe(bob, "sensors/more/#"));
            bob.disconnect();
        }
    }

    @Test
    public void rolesAndGroupsGivePublishPermissionsAndTheOperatorCanSeeThem() throws Exception {
        try (V5Client alice = connect("roles-alice", "alice", "alice-pw");
                V5Client carol = connect("roles-carol", "carol", "carol-pw")) {
            assertEquals("allowed (no subscriber yet)", 0x10,
                    alice.publish("sensors/alice/t", "21.5", 1, false).getReasonCodes()[0]);
            assertEquals("only her own sensors", 0x87,
                    alice.publish("sensors/carol/t", "forged", 1, false).getReasonCodes()[0]);
            assertEquals("a group grant", 1, subscribe(carol, "ops/#"));
            assertEquals("allowed, and carol herself subscribes", 0,
                    carol.publish("ops/deploy", "go", 1, false).getReasonCodes()[0]);
            alice.disconnect();
            carol.disconnect();
        }
        String perms = BROKER.shell("meridian:permissions carol");
        assertTrue(perms, perms.contains("group:/operators") && perms.contains("readwrite ops/#"));
        perms = BROKER.shell("meridian:permissions alice");
        assertTrue(perms, perms.contains("write sensors/alice/#"));
    }

    @Test
    public void whenKeycloakRefusesTheBrokerTheLastGoodPermissionsStay() throws Exception {
        String clientId = keycloak.clientUuid("meridian-broker");
        keycloak.admin("PUT", "/clients/" + clientId, "{\"enabled\":false}");
        try {
            String sync = BROKER.shell("meridian:keycloak-sync");
            assertTrue(sync, sync.contains("Keycloak sync failed") && sync.contains("stay in force"));
            BROKER.awaitLog("Keycloak sync failed", Duration.ofSeconds(10));
            try (V5Client alice = connect("roles-alice-kept", "alice", "alice-pw")) {
                assertEquals("the last good permissions", 0x10,
                        alice.publish("sensors/alice/t", "22.0", 1, false).getReasonCodes()[0]);
                alice.disconnect();
            }
            String perms = BROKER.shell("meridian:permissions alice");
            assertTrue(perms, perms.contains("the last sync failed"));
        } finally {
            keycloak.admin("PUT", "/clients/" + clientId, "{\"enabled\":true}");
        }
        String sync = BROKER.shell("meridian:keycloak-sync");
        assertTrue(sync, sync.contains("user(s) read"));
    }
}
