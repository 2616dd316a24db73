package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.ConnectReturnCode;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.Identity;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** What an authenticator says about a client (name, roles, expiry) is what authorizers see. */
public class AuthenticatedIdentityTest {

    private BrokerCore core;

    @Before
    public void startCore() {
        core = SessionFlowTest.startedCore(Map.of(), Duration.ofMillis(300));
    }

    @After
    public void stopCore() {
        core.deactivate();
    }

    private ConnectResult connect(String id, String user) {
        return core.connect(new ConnectRequest(id, true, 60, user, new byte[] {1}, null,
                new InetSocketAddress("127.0.0.1", 1), "test", 5, 0, 65535), new SessionFlowTest.RecordingConnection())
                .toCompletableFuture().join();
    }

    @Test
    public void rolesAndExpiryFromTheAuthenticatorReachTheAuthorizersAndFollowAReauthentication() throws Exception {
        Instant until = Instant.now().plusSeconds(60);
        core.plugins.authenticators.add((input, output) -> output.allow(Identity.of("alice").withRoles(List.of("reader"))
                .expiringAt(until)), "token", 100);
        AtomicReference<Set<String>> seenRoles = new AtomicReference<>();
        core.plugins.authorizers.add(new Authorizer() {
            @Override
            public void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output) {
                output.allow();
            }

            @Override
            public void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output) {
                seenRoles.set(input.client().roles());
                output.allow();
            }
        }, "roles", 100);
        ConnectResult r = connect("c1", "presented-name");
        assertTrue(r.accepted());
        assertEquals(Optional.of("alice"), r.session().client().username());
        assertEquals(Optional.of(until), r.session().client().credentialsExpireAt());
        r.session().open();
        subscribe(r, "a/b");
        assertEquals(Set.of("reader"), seenRoles.get());

        Instant later = until.plusSeconds(600);
        r.session().reauthenticated(Identity.asPresented().withRoles(List.of("writer")).expiringAt(later));
        assertEquals("a re-authentication keeps the name", Optional.of("alice"), r.session().client().username());
        assertEquals(Optional.of(later), r.session().client().credentialsExpireAt());
        subscribe(r, "a/c");
        assertEquals(Set.of("writer"), seenRoles.get());
    }

    private static void subscribe(ConnectResult r, String filter) throws Exception {
        java.util.concurrent.CompletableFuture<int[]> granted = new java.util.concurrent.CompletableFuture<>();
        r.session().subscribe(List.of(new TopicSubscription(filter, 1)), granted::complete);
        assertEquals(1, granted.get(10, java.util.concurrent.TimeUnit.SECONDS)[0]);
    }

    @Test
    public void credentialsThatHaveAlreadyExpiredAreRefused() {
        core.plugins.authenticators.add((input, output) -> output.allow(Identity.asPresented()
                .expiringAt(Instant.now().minusSeconds(1))), "stale", 100);
        ConnectResult r = connect("c2", "bob");
        assertEquals(ConnectReturnCode.BAD_USERNAME_OR_PASSWORD, r.code());
        assertTrue(r.reason(), r.reason().contains("expired"));
    }
}
