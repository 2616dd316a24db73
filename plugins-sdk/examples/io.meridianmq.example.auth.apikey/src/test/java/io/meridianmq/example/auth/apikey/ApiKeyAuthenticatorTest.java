package io.meridianmq.example.auth.apikey;

import static org.junit.Assert.assertEquals;

import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.meridianmq.sdk.async.Async;
import io.meridianmq.sdk.async.TimeoutFallback;
import io.meridianmq.sdk.auth.AuthenticationInput;
import io.meridianmq.sdk.auth.AuthenticationOutput;
import io.meridianmq.sdk.client.ClientInfo;

import org.junit.Test;

public class ApiKeyAuthenticatorTest {

    static final class Output implements AuthenticationOutput {
        String decision = "next";

        public void allow() { decision = "allow"; }
        public void allowAs(String username) { decision = "allow as " + username; }
        public void deny(String reason) { decision = "deny"; }
        public void next() { decision = "next"; }
        public Async async(Duration timeout, TimeoutFallback fallback) { return () -> { }; } // these fakes answer at once
    }

    private static String decide(ApiKeyAuthenticator a, String user, String password) {
        ClientInfo client = new ClientInfo() {
            public String clientId() { return "c"; }
            public InetSocketAddress remoteAddress() { return new InetSocketAddress("127.0.0.1", 1); }
            public String listenerName() { return "test"; }
            public int protocolLevel() { return 5; }
            public Optional<String> username() { return Optional.ofNullable(user); }
        };
        AuthenticationInput input = new AuthenticationInput() {
            public ClientInfo client() { return client; }
            public Optional<String> username() { return Optional.ofNullable(user); }
            public Optional<byte[]> password() {
                return Optional.ofNullable(password).map(p -> p.getBytes(StandardCharsets.UTF_8));
            }
        };
        Output out = new Output();
        a.authenticate(input, out);
        return out.decision;
    }

    @Test
    public void knownKeysAllowWrongKeysDenyOthersPassOn() throws Exception {
        Path file = Files.createTempFile("keys", ".txt");
        Files.writeString(file, "# devices\nsensor-1:s3cret\nbad line\n");
        ApiKeyAuthenticator a = new ApiKeyAuthenticator();
        a.configure(new ApiKeyAuthenticator.Config() {
            public String file() { return file.toString(); }
            public Class<? extends Annotation> annotationType() { return ApiKeyAuthenticator.Config.class; }
        });
        assertEquals("allow", decide(a, "sensor-1", "s3cret"));
        assertEquals("deny", decide(a, "sensor-1", "guess"));
        assertEquals("next", decide(a, "someone-else", "x"));
        assertEquals("next", decide(a, null, null));
        Files.delete(file);
    }
}
