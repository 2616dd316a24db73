package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttUtf8String;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientConfig;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5Auth;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5AuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.auth.Mqtt5EnhancedAuthBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * MQTT 5.0 enhanced authentication (sections 3.15 AUTH and 4.12): the example plugin from
 * plugins-sdk/examples is dropped into deploy/ of the running broker, then the HiveMQ client
 * authenticates with its challenge-response method, fails with a wrong secret, and
 * re-authenticates while connected.
 */
public class EnhancedAuthenticationTest {

    private static final String METHOD = "HMAC-SHA256-CHALLENGE";
    private static final String SECRET = "test-secret-" + System.nanoTime();

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.example.challenge.cfg", "secret = " + SECRET + "\n");

    @BeforeClass
    public static void deployThePlugin() throws Exception {
        Path jar = Paths.get(System.getProperty("meridian.example.challenge.jar"));
        assertTrue("build the example plugin first: " + jar, Files.isRegularFile(jar));
        Path target = BROKER.home().resolve("deploy").resolve(jar.getFileName());
        Path temp = BROKER.home().resolve("deploy.tmp");
        Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        // deployed while the broker runs: wait until a client can use the method
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try {
                connect("probe", SECRET).disconnect();
                return;
            } catch (Mqtt5ConnAckException e) {
                if (e.getMqttMessage().getReasonCode() != Mqtt5ConnAckReasonCode.BAD_AUTHENTICATION_METHOD
                        || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** The client side of the method, written from its description, not from the plugin's code. */
    static final class HmacChallenge extends QuietAuthMechanism {
        final byte[] secret;
        volatile byte[] challenge;
        volatile boolean serverProved;
        volatile boolean reauthenticated;

        HmacChallenge(String secret) {
            this.secret = secret.getBytes(StandardCharsets.UTF_8);
        }

        byte[] hmac(byte[]... parts) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret, "HmacSHA256"));
                for (byte[] p : parts) {
                    mac.update(p);
                }
                return mac.doFinal();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static byte[] bytes(ByteBuffer b) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            return a;
        }

        @Override
        public MqttUtf8String getMethod() {
            return MqttUtf8String.of(METHOD);
        }

        @Override
        public int getTimeout() {
            return 10;
        }

        @Override
        public CompletableFuture<Void> onAuth(Mqtt5ClientConfig c, Mqtt5Connect connect, Mqtt5EnhancedAuthBuilder b) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> onReAuth(Mqtt5ClientConfig c, Mqtt5AuthBuilder b) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Boolean> onContinue(Mqtt5ClientConfig c, Mqtt5Auth auth, Mqtt5AuthBuilder b) {
            challenge = bytes(auth.getData().orElseThrow());
            b.data(hmac(challenge));
            return CompletableFuture.completedFuture(true);
        }

        @Override
        public CompletableFuture<Boolean> onAuthSuccess(Mqtt5ClientConfig c, Mqtt5ConnAck connAck) {
            byte[] proof = bytes(connAck.getEnhancedAuth().orElseThrow().getData().orElseThrow());
            serverProved = java.util.Arrays.equals(proof, hmac("server".getBytes(StandardCharsets.US_ASCII), challenge));
            return CompletableFuture.completedFuture(serverProved);
        }

        @Override
        public CompletableFuture<Boolean> onReAuthSuccess(Mqtt5ClientConfig c, Mqtt5Auth auth) {
            byte[] proof = bytes(auth.getData().orElseThrow());
            reauthenticated = java.util.Arrays.equals(proof,
                    hmac("server".getBytes(StandardCharsets.US_ASCII), challenge));
            return CompletableFuture.completedFuture(reauthenticated);
        }
    }

    private static Mqtt5BlockingClient connect(String id, String secret) {
        return connect(id, new HmacChallenge(secret));
    }

    private static Mqtt5BlockingClient connect(String id, HmacChallenge mechanism) {
        Mqtt5BlockingClient c = MqttClient.builder().useMqttVersion5().identifier(id).serverHost("127.0.0.1")
                .serverPort(BROKER.port()).enhancedAuth(mechanism).buildBlocking();
        c.connect();
        return c;
    }

    @Test
    public void s4_12_challengeResponseAuthenticatesBothWays() {
        HmacChallenge mechanism = new HmacChallenge(SECRET);
        Mqtt5BlockingClient c = connect("auth-good", mechanism);
        assertTrue("the broker proved it knows the secret", mechanism.serverProved);
        c.disconnect();
    }

    @Test
    public void s4_12_wrongResponseIsRefusedWithNotAuthorized() throws Exception {
        try {
            connect("auth-bad", "not-the-secret").disconnect();
            fail("a wrong secret must be refused");
        } catch (Mqtt5ConnAckException e) {
            assertEquals(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED, e.getMqttMessage().getReasonCode());
        }
        BROKER.awaitLog("enhanced authentication (" + METHOD + ") failed", Duration.ofSeconds(10));
    }

    @Test
    public void s4_12_1_reauthenticationWhileConnected() throws Exception {
        HmacChallenge mechanism = new HmacChallenge(SECRET);
        Mqtt5BlockingClient c = connect("auth-again", mechanism);
        byte[] firstChallenge = mechanism.challenge;
        c.toAsync().reauth().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(mechanism.reauthenticated);
        assertTrue("a new challenge each time", !java.util.Arrays.equals(firstChallenge, mechanism.challenge));
        BROKER.awaitLog("re-authenticated with " + METHOD);
        c.disconnect();
    }
}
