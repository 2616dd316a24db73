package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * JWT authentication against a real Keycloak: password-grant and client-credentials tokens in
 * the CONNECT password, MQTT 5 enhanced authentication with a bearer token and re-authentication
 * past the token's expiry, connections ended when their token expires, keys rotated in Keycloak
 * picked up without a restart, and every kind of bad token refused with the reason code and a
 * log line naming the client. The password file serves the same listener for other users.
 */
public class OAuthTokenTest {

    private static final int BAD_USERNAME_OR_PASSWORD = 0x86;

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess().withFeature("meridian-auth-oidc")
            .withEtcFile("io.meridianmq.broker.cfg", "allow_anonymous = false\n")
            .withEtcFile("io.meridianmq.auth.file.cfg", "password_file = etc/passwd\n");

    private static KeycloakServer keycloak;

    @BeforeClass
    public static void configureTheIssuer() throws Exception {
        keycloak = KeycloakServer.shared();
        // configured in the running broker, as an operator would: the plugin starts on the new file
        java.nio.file.Files.writeString(BROKER.home().resolve("etc/io.meridianmq.auth.oidc.cfg"), oidcConfig(keycloak));
        BROKER.awaitLog("OAuth 2.0 / OIDC authentication for issuer " + keycloak.issuer(), Duration.ofSeconds(30));
        BROKER.awaitLog("Keys of " + keycloak.issuer(), Duration.ofSeconds(30));
        BROKER.shell("meridian:passwd dave dave-pw");
    }

    static String oidcConfig(KeycloakServer kc) {
        return "issuer = " + kc.issuer() + "\n"
                + "audience = meridian-broker\n"
                + "clock_skew = 0\n"
                + "role_claims = realm_access.roles\n"
                + "jwks_min_refresh_seconds = 1\n"
                + "enhanced_method = OAUTHBEARER\n";
    }

    private static org.eclipse.paho.mqttv5.client.MqttAsyncClient connectV5(String id, String user, String token)
            throws MqttException {
        org.eclipse.paho.mqttv5.client.MqttAsyncClient c = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(
                BROKER.uri(), id, new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        if (user != null) {
            o.setUserName(user);
        }
        o.setPassword(token.getBytes(StandardCharsets.UTF_8));
        try {
            c.connect(o).waitForCompletion(15_000);
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static void assertAccepted(String id, String user, String token) throws MqttException {
        org.eclipse.paho.mqttv5.client.MqttAsyncClient c;
        try {
            c = connectV5(id, user, token);
        } catch (MqttException e) {
            throw new AssertionError(id + " refused (" + e.getReasonCode() + "): " + BROKER.log().lines()
                    .filter(l -> l.contains("'" + id + "'")).reduce("", (a, b) -> a + "\n" + b), e);
        }
        assertTrue(c.isConnected());
        c.disconnect().waitForCompletion(5_000);
        c.close();
    }

    private static void assertRefused(String what, String id, String user, String token, String logged)
            throws Exception {
        try {
            connectV5(id, user, token).close();
            fail(what + " must be refused");
        } catch (MqttException e) {
            assertEquals(what, BAD_USERNAME_OR_PASSWORD, e.getReasonCode());
        }
        String line = awaitLine("'" + id + "'", "refused");
        assertTrue(what + ": " + line, line.contains(logged));
    }

    /** The first log line holding all of {@code parts}, waiting for it up to 10 s. */
    static String awaitLine(String... parts) {
        return org.awaitility.Awaitility.await("a log line with " + java.util.Arrays.toString(parts))
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> BROKER.log().lines().filter(l -> java.util.Arrays.stream(parts).allMatch(l::contains))
                        .findFirst().orElse(null), java.util.Objects::nonNull);
    }

    @Test
    public void aPasswordGrantTokenLetsTheUserInUnderTheNameInTheToken() throws Exception {
        String token = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        assertAccepted("jwt-alice", "alice", token);
        awaitLine("'jwt-alice'", "connected", "user 'alice'", "credentials good until");
        // MQTT 3.1.1 (Paho v3): the token in the password field works the same
        org.eclipse.paho.client.mqttv3.MqttClient v3 = new org.eclipse.paho.client.mqttv3.MqttClient(BROKER.uri(),
                "jwt-alice-v3", new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("alice");
        o.setPassword(token.toCharArray());
        v3.connect(o);
        v3.disconnect();
        v3.close();
    }

    @Test
    public void tokensSignedWithEdDsaEs256AndPs256AreAccepted() throws Exception {
        if (!JWKSet.parse(keycloak.jwks()).getKeys().stream().anyMatch(k -> "Ed25519".equals(
                k.toJSONObject().get("crv")))) {
            keycloak.addKeyProvider("eddsa-generated", "{\"priority\":[\"100\"],\"eddsaEllipticCurveKey\":[\"Ed25519\"]}");
            keycloak.addKeyProvider("ecdsa-generated", "{\"priority\":[\"100\"],\"ecdsaEllipticCurveKey\":[\"P-256\"]}");
        }
        for (String alg : new String[] {"ed:EdDSA", "ec:ES256", "ps:PS256"}) {
            String client = "meridian-" + alg.substring(0, 2);
            String token = keycloak.passwordToken(client, client + "-secret", "alice", "alice-pw");
            assertEquals(alg.substring(3), SignedJWT.parse(token).getHeader().getAlgorithm().getName());
            // a key that appeared after the broker read the set: fetched on first sight
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2))
                    .ignoreExceptions().untilAsserted(() -> assertAccepted("jwt-" + alg.substring(0, 2), "alice", token));
        }
    }

    @Test
    public void mosquittoPubSendsItsTokenAsThePassword() throws Exception {
        String token = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        assertEquals(0, mosquittoPub("mosq-token", token));
        assertNotEquals("a tampered token", 0, mosquittoPub("mosq-bad", token.substring(0, token.length() - 4) + "AAAA"));
        awaitLine("'mosq-bad'", "refused", "signature");
    }

    private static int mosquittoPub(String id, String token) throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(BROKER.port()),
                "-V", "mqttv311", "-i", id, "-u", "alice", "-P", token, "-t", "sensors/alice/t", "-m", "21.5", "-q", "1")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    @Test
    public void aClientCredentialsTokenNeedsNoUserName() throws Exception {
        String token = keycloak.clientToken("meridian-app", "app-secret");
        assertAccepted("jwt-service", null, token);
        awaitLine("'jwt-service'", "connected", "user 'service-account-meridian-app'");
    }

    @Test
    public void aUserNameThatIsNotTheTokensIsRefused() throws Exception {
        String token = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        assertRefused("someone else's token", "jwt-impostor", "bob", token, "does not match the token");
    }

    @Test
    public void thePasswordFileStillServesItsUsersOnTheSameListener() throws Exception {
        assertAccepted("pw-dave", "dave", "dave-pw");
        assertRefused("a wrong password", "pw-dave-bad", "dave", "nope", "wrong password");
    }

    @Test
    public void aTokenForAnotherAudienceIsRefused() throws Exception {
        String token = keycloak.passwordToken("meridian-other", "other-secret", "alice", "alice-pw");
        assertRefused("wrong audience", "jwt-aud", "alice", token, "aud claim rejected");
    }

    @Test
    public void aTokenFromAnotherIssuerIsRefused() throws Exception {
        // same realm, same keys, but asked for at "localhost": its iss is not the configured issuer
        String token = keycloak.token("http://localhost:" + keycloak.port(), "meridian-app", "app-secret",
                "grant_type=password&username=alice&password=alice-pw");
        assertRefused("wrong issuer", "jwt-iss", "alice", token, "iss");
    }

    @Test
    public void aTamperedTokenIsRefused() throws Exception {
        String[] parts = keycloak.passwordToken("meridian-app", "app-secret", "bob", "bob-pw").split("\\.");
        JWTClaimsSet claims = JWTClaimsSet.parse(new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8));
        JWTClaimsSet forged = new JWTClaimsSet.Builder(claims).claim("preferred_username", "alice").build();
        String token = parts[0] + "." + Base64URL.encode(forged.toString()) + "." + parts[2];
        assertRefused("tampered", "jwt-tampered", "alice", token, "signature");
    }

    @Test
    public void anUnsignedTokenIsRefused() throws Exception {
        SignedJWT real = SignedJWT.parse(keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw"));
        String token = new PlainJWT(real.getJWTClaimsSet()).serialize();
        assertRefused("alg none", "jwt-none", "alice", token, "alg: none");
    }

    @Test
    public void anHmacTokenKeyedWithThePublicKeyIsRefused() throws Exception {
        SignedJWT real = SignedJWT.parse(keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw"));
        RSAKey published = (RSAKey) JWKSet.parse(keycloak.jwks()).getKeyByKeyId(real.getHeader().getKeyID());
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
                .keyID(published.getKeyID()).type(JOSEObjectType.JWT).build(), real.getJWTClaimsSet());
        confused.sign(new MACSigner(published.toRSAPublicKey().getEncoded()));
        assertRefused("HS256 key confusion", "jwt-hs256", "alice", confused.serialize(), "key confusion");
    }

    @Test
    public void aTokenSignedWithAKeyTheIssuerDoesNotPublishIsRefused() throws Exception {
        SignedJWT real = SignedJWT.parse(keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw"));
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("not-a-keycloak-key").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID())
                .type(JOSEObjectType.JWT).build(), real.getJWTClaimsSet());
        forged.sign(new RSASSASigner(stranger));
        assertRefused("unknown kid", "jwt-kid", "alice", forged.serialize(), "unknown key id 'not-a-keycloak-key'");
    }

    @Test
    public void expiredAndNotYetValidTokensSignedByTheIssuerAreRefused() throws Exception {
        // a signing key the test holds, imported into Keycloak: the issuer publishes it, so only
        // the time claims can make these tokens fail
        RSAKey key = new RSAKeyGenerator(2048).generate();
        String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(key.toRSAPrivateKey().getEncoded()) + "\n-----END PRIVATE KEY-----";
        keycloak.importKey("test-held-" + System.nanoTime(), pem);
        String kid = JWKSet.parse(keycloak.jwks()).getKeys().stream()
                .filter(k -> k instanceof RSAKey r && r.getModulus().equals(key.getModulus()))
                .map(JWK::getKeyID).findFirst().orElseThrow(() -> new AssertionError("imported key not published"));
        JWTClaimsSet base = SignedJWT.parse(keycloak.passwordToken("meridian-app", "app-secret", "alice",
                "alice-pw")).getJWTClaimsSet();
        long now = System.currentTimeMillis();
        String expired = sign(key, kid, new JWTClaimsSet.Builder(base).issueTime(new Date(now - 600_000))
                .expirationTime(new Date(now - 300_000)).build());
        String early = sign(key, kid, new JWTClaimsSet.Builder(base).notBeforeTime(new Date(now + 600_000))
                .expirationTime(new Date(now + 900_000)).build());
        String fine = sign(key, kid, new JWTClaimsSet.Builder(base).expirationTime(new Date(now + 300_000)).build());
        // the key itself is good (once the broker's key refresh, limited to one a second, saw it)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2))
                .ignoreExceptions().untilAsserted(() -> assertAccepted("jwt-held-key", "alice", fine));
        assertRefused("expired", "jwt-expired", "alice", expired, "Expired JWT");
        assertRefused("not yet valid", "jwt-early", "alice", early, "before use time");
    }

    private static String sign(RSAKey key, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT)
                .build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    public void aKeyRotatedInKeycloakIsPickedUpWithoutRestart() throws Exception {
        String before = SignedJWT.parse(keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw"))
                .getHeader().getKeyID();
        keycloak.rotateKeys("rotated-" + System.nanoTime());
        String token = keycloak.passwordToken("meridian-app", "app-secret", "alice", "alice-pw");
        String after = SignedJWT.parse(token).getHeader().getKeyID();
        assertNotEquals("Keycloak signs with the new key", before, after);
        long loads = BROKER.log().lines().filter(l -> l.contains("Keys of " + keycloak.issuer())).count();
        assertAccepted("jwt-rotated", "alice", token);
        assertTrue("the keys were fetched again",
                BROKER.log().lines().filter(l -> l.contains("Keys of " + keycloak.issuer())).count() > loads);
    }

    @Test
    public void aConnectionEndsWhenItsTokenExpires() throws Exception {
        String token = keycloak.passwordToken("meridian-short", "short-secret", "alice", "alice-pw");
        long exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().getTime();
        try (V5Client v5 = new V5Client(BROKER.uri(), "jwt-short-v5")) {
            MqttConnectionOptions o = V5Client.options();
            o.setUserName("alice");
            o.setPassword(token.getBytes(StandardCharsets.UTF_8));
            v5.connect(o);
            MqttDisconnectResponse d = awaitDisconnect(v5);
            assertEquals("maximum connect time", 0xA0, d.getReturnCode());
            assertTrue("not before the token expired", System.currentTimeMillis() >= exp - 1000);
        }
        awaitLine("'jwt-short-v5'", "credentials expired");
        // the same token again: expired now
        assertRefused("expired token", "jwt-short-again", "alice", token, "Expired JWT");
    }

    private static MqttDisconnectResponse awaitDisconnect(V5Client c) throws InterruptedException {
        // the token lives 6 s; V5Client waits 10 s for a DISCONNECT, so wait in two rounds
        for (int i = 0; i < 2; i++) {
            try {
                return c.awaitDisconnect();
            } catch (AssertionError notYet) {
                // keep waiting
            }
        }
        throw new AssertionError("the connection outlived its token");
    }

    @Test
    public void anMqtt3ConnectionIsClosedWhenItsTokenExpires() throws Exception {
        String token = keycloak.passwordToken("meridian-short", "short-secret", "bob", "bob-pw");
        org.eclipse.paho.client.mqttv3.MqttClient v3 = new org.eclipse.paho.client.mqttv3.MqttClient(BROKER.uri(),
                "jwt-short-v3", new MemoryPersistence());
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        v3.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.complete(cause);
            }

            @Override
            public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            }

            @Override
            public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName("bob");
        o.setPassword(token.toCharArray());
        v3.connect(o);
        lost.get(30, TimeUnit.SECONDS);
        v3.close();
        awaitLine("'jwt-short-v3'", "credentials expired");
    }

    /** OAUTHBEARER over MQTT 5 AUTH, written from its description: the data is the token. */
    static final class BearerToken extends QuietAuthMechanism {
        final java.util.function.Supplier<String> tokens;
        volatile boolean reauthenticated;

        BearerToken(java.util.function.Supplier<String> tokens) {
            this.tokens = tokens;
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of("OAUTHBEARER");
        }

        @Override
        public int getTimeout() {
            return 15;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig c, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder b) {
            b.data(ByteBuffer.wrap(tokens.get().getBytes(StandardCharsets.UTF_8)));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig c, Mqtt5AuthBuilder b) {
            b.data(ByteBuffer.wrap(tokens.get().getBytes(StandardCharsets.UTF_8)));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig c, Mqtt5Auth auth, Mqtt5AuthBuilder b) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig c, Mqtt5ConnAck connAck) {
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig c, Mqtt5Auth auth) {
            reauthenticated = true;
            return CompletableFuture.completedFuture(true);
        }
    }

    private static String shortToken() {
        try {
            return keycloak.passwordToken("meridian-short", "short-secret", "alice", "alice-pw");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void enhancedAuthenticationWithABearerTokenAndReauthenticationKeepTheConnectionPastTheFirstToken()
            throws Exception {
        String first = shortToken();
        long firstExpiry = SignedJWT.parse(first).getJWTClaimsSet().getExpirationTime().getTime();
        java.util.concurrent.atomic.AtomicReference<String> next = new java.util.concurrent.atomic.AtomicReference<>(first);
        BearerToken mechanism = new BearerToken(next::get);
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("bearer-reauth")
                .serverHost("127.0.0.1").serverPort(BROKER.port()).enhancedAuth(mechanism).buildBlocking();
        c.connect();
        awaitLine("'bearer-reauth'", "connected");
        // a fresh token before the first one runs out
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            String t = shortToken();
            next.set(t);
            return SignedJWT.parse(t).getJWTClaimsSet().getExpirationTime().getTime() > firstExpiry + 2000;
        });
        c.toAsync().reauth().get(15, TimeUnit.SECONDS);
        assertTrue(mechanism.reauthenticated);
        awaitLine("'bearer-reauth'", "re-authenticated with OAUTHBEARER", "credentials good until");
        // past the first token's expiry the connection still works
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> System.currentTimeMillis() > firstExpiry + 500);
        c.publishWith().topic("bearer/alive").qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                .payload("still here".getBytes(StandardCharsets.UTF_8)).send();
        assertTrue(c.getState().isConnected());
        c.disconnect();
    }

    @Test
    public void enhancedAuthenticationWithABadTokenIsRefused() throws Exception {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier("bearer-bad")
                .serverHost("127.0.0.1").serverPort(BROKER.port())
                .enhancedAuth(new BearerToken(() -> "not.a.token")).buildBlocking();
        try {
            c.connect();
            fail("a bad bearer token must be refused");
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException e) {
            assertEquals(com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode.NOT_AUTHORIZED,
                    e.getMqttMessage().getReasonCode());
        }
        BROKER.awaitLog("enhanced authentication (OAUTHBEARER) failed", Duration.ofSeconds(10));
    }
}
