package io.meridianmq.e2e;

import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 9: token settings cannot be half-safe. An empty audience, or an identity
 * provider over plain http on another machine, is refused with a message saying why; and with
 * introspection on, a password-file user's password never goes to the identity provider (here an
 * endpoint that records who calls it and never answers).
 */
public class OAuthSettingsAttackTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-auth-oidc")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n")
            .withEtcFile("passwd", "");

    /** The introspection endpoint: accepts connections (its backlog does), never answers. */
    private static ServerSocket introspection;

    @BeforeClass
    public static void openTheEndpoint() throws Exception {
        introspection = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        introspection.setSoTimeout(1);
        BROKER.addUser("erin", "erin-password");
    }

    @AfterClass
    public static void closeTheEndpoint() throws Exception {
        introspection.close();
    }

    private static String config(String extra) {
        // the issuer (discovery, keys) is elsewhere: only introspection reaches the recording endpoint
        return "issuer = http://127.0.0.1:1/realms/x\n"
                + "introspection_endpoint = http://127.0.0.1:" + introspection.getLocalPort() + "/introspect\n"
                + "introspect = opaque\nclient_id = meridian-broker\nclient_secret = s3cret\nhttp_timeout_ms = 3000\n"
                + extra;
    }

    private static final String CFG = "io.meridianmq.auth.oidc.cfg";

    private static boolean endpointWasCalled() throws Exception {
        try {
            introspection.accept().close();
            return true;
        } catch (SocketTimeoutException nobody) {
            return false;
        }
    }

    @Test
    public void aPasswordFileUsersPasswordIsNotSentToTheIdentityProvider() throws Exception {
        BROKER.editEtcFile(CFG, config("audience = meridian-broker\n"),
                l -> l.contains("OAuth 2.0 / OIDC authentication for issuer http://127.0.0.1:1/realms/x")
                        && l.contains("audience [meridian-broker]"), "the configuration applied");
        try (V5Client erin = new V5Client(BROKER.uri(), "erin-with-password")) {
            MqttConnectionOptions o = V5Client.options();
            o.setUserName("erin");
            o.setPassword("erin-password".getBytes(StandardCharsets.UTF_8));
            erin.connect(o);
        }
        assertTrue("erin's password went to the introspection endpoint", !endpointWasCalled());
    }

    @Test
    public void anEmptyAudienceOrPlainHttpElsewhereIsRefused() throws Exception {
        BROKER.editEtcFile(CFG, config(""), l -> l.contains("audience is empty") && l.contains("audience_check = false"),
                "the refusal of an empty audience");
        BROKER.editEtcFile(CFG, "issuer = http://idp.example.org/realms/x\naudience = meridian-broker\n",
                l -> l.contains("issuer = http://idp.example.org/realms/x must be https://"),
                "the refusal of plain http to another machine");
        // written on purpose, any audience is accepted
        BROKER.editEtcFile(CFG, config("audience_check = false\n"),
                l -> l.contains("OAuth 2.0 / OIDC authentication for issuer") && l.contains("audience (any)"),
                "the configuration with audience_check = false applied");
    }
}
