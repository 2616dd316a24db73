package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * An identity provider that accepts connections and never answers: the clients that present a
 * token wait (up to the HTTP timeout) and are then refused, while clients of the password file
 * connect, subscribe and publish as usual in the meantime.
 */
public class OAuthStalledProviderTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-auth-oidc")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n");

    /** Accepts TCP connections (the kernel's backlog does) and never reads or answers. */
    private static ServerSocket stalled;

    @BeforeClass
    public static void pointTheBrokerAtAStalledProvider() throws Exception {
        stalled = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        BROKER.shell("meridian:passwd erin erin-pw");
        java.nio.file.Files.writeString(BROKER.home().resolve("etc/io.meridianmq.auth.oidc.cfg"),
                "issuer = http://127.0.0.1:" + stalled.getLocalPort() + "/realms/stalled\n"
                + "audience = meridian-broker\nhttp_timeout_ms = 4000\n");
        BROKER.awaitLog("OAuth 2.0 / OIDC authentication for issuer http://127.0.0.1:" + stalled.getLocalPort(),
                Duration.ofSeconds(30));
    }

    @AfterClass
    public static void closeTheProvider() throws Exception {
        stalled.close();
    }

    @Test
    public void tokenClientsWaitAndAreRefusedWhileEveryoneElseCarriesOn() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(),
                new JWTClaimsSet.Builder().issuer("http://127.0.0.1:" + stalled.getLocalPort() + "/realms/stalled")
                        .subject("frank").expirationTime(new java.util.Date(System.currentTimeMillis() + 600_000))
                        .build());
        jwt.sign(new RSASSASigner(key));
        String token = jwt.serialize();

        List<CompletableFuture<Integer>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = "stalled-" + i;
            waiting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    MqttAsyncClient c = new MqttAsyncClient(BROKER.uri(), id, new MemoryPersistence());
                    MqttConnectionOptions o = new MqttConnectionOptions();
                    o.setUserName("frank");
                    o.setPassword(token.getBytes(StandardCharsets.UTF_8));
                    o.setConnectionTimeout(60);
                    try {
                        c.connect(o).waitForCompletion(60_000);
                        return 0;
                    } catch (MqttException e) {
                        return e.getReasonCode();
                    } finally {
                        c.close();
                    }
                } catch (MqttException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        // while the token clients wait for the identity provider, a password-file client connects,
        // subscribes and gets its own message
        try (V5Client erin = new V5Client(BROKER.uri(), "erin-meanwhile")) {
            MqttConnectionOptions o = V5Client.options();
            o.setUserName("erin");
            o.setPassword("erin-pw".getBytes(StandardCharsets.UTF_8));
            erin.connect(o);
            erin.subscribe(V5Client.sub("meanwhile/#", 1));
            erin.publish("meanwhile/ok", "carried on", 1, false);
            assertEquals("carried on", new String(erin.next().message().getPayload(), StandardCharsets.UTF_8));
            assertFalse("the token clients were still waiting while erin worked",
                    waiting.stream().allMatch(CompletableFuture::isDone));
            erin.disconnect();
        }
        for (CompletableFuture<Integer> w : waiting) {
            assertEquals("refused as bad credentials once the provider timed out", Integer.valueOf(0x86),
                    w.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(BROKER.log().lines().anyMatch(l -> l.contains("stalled-") && l.contains("refused")
                && l.contains("no answer within the HTTP timeout")));
    }
}
