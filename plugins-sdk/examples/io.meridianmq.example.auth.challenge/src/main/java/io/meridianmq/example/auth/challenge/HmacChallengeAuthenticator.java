package io.meridianmq.example.auth.challenge;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.meridianmq.sdk.auth.AuthenticationStep;
import io.meridianmq.sdk.auth.EnhancedAuthentication;
import io.meridianmq.sdk.auth.EnhancedAuthenticator;
import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * MQTT 5 enhanced authentication method {@value #METHOD}: the broker sends a random 32-byte
 * challenge, the client answers HMAC-SHA256(secret, challenge), and the broker proves it knows
 * the secret too with HMAC-SHA256(secret, "server" + challenge) in CONNACK. The shared secret
 * comes from {@code etc/io.meridianmq.example.challenge.cfg} ({@code secret = ...}); without it
 * the plugin stays inactive.
 */
@Component(configurationPid = "io.meridianmq.example.challenge", configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = HmacChallengeAuthenticator.Config.class)
public class HmacChallengeAuthenticator implements EnhancedAuthenticator {

    /** The method name clients use. */
    public static final String METHOD = "HMAC-SHA256-CHALLENGE";

    @ObjectClassDefinition(name = "HMAC challenge-response authentication")
    @interface Config {
        @AttributeDefinition(description = "The secret shared with clients")
        String secret();
    }

    private final SecureRandom random = new SecureRandom();
    private byte[] secret;

    @Activate
    void activate(Config config) {
        if (config.secret() == null || config.secret().isEmpty()) {
            throw new IllegalArgumentException("io.meridianmq.example.challenge.cfg: secret must not be empty");
        }
        secret = config.secret().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public EnhancedAuthentication begin(ClientInfo client) {
        byte[] challenge = new byte[32];
        random.nextBytes(challenge);
        return new EnhancedAuthentication() {
            private boolean challenged;

            @Override
            public CompletionStage<AuthenticationStep> step(byte[] clientData) {
                if (!challenged) {
                    challenged = true;
                    return CompletableFuture.completedFuture(AuthenticationStep.challenge(challenge));
                }
                byte[] expected = hmac(challenge, new byte[0]);
                if (!MessageDigest.isEqual(expected, clientData)) {
                    return CompletableFuture.completedFuture(AuthenticationStep.failure(
                            "wrong response to the challenge from client '" + client.clientId() + "'"));
                }
                byte[] proof = hmac("server".getBytes(StandardCharsets.US_ASCII), challenge);
                return CompletableFuture.completedFuture(AuthenticationStep.success(proof, null));
            }
        };
    }

    private byte[] hmac(byte[] first, byte[] second) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(first);
            mac.update(second);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
