package io.meridianmq.auth.oidc.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Issue 16, point 9: the identity provider's redirects are followed only on the same host; a
 * redirect elsewhere (which would carry the broker's client secret or a token there) is not.
 */
public class RedirectTest {

    private HttpServer idp;
    private HttpServer elsewhere;
    private final AtomicInteger elsewhereCalls = new AtomicInteger();

    @Before
    public void start() throws Exception {
        elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        elsewhere.createContext("/", ex -> {
            elsewhereCalls.incrementAndGet();
            answer(ex, 200, "{\"active\": true, \"sub\": \"mallory\"}", null);
        });
        elsewhere.start();
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/moved", ex -> answer(ex, 307, "", "/introspect"));
        idp.createContext("/away", ex -> answer(ex, 307, "", "http://127.0.0.2:" + elsewhere.getAddress().getPort()
                + "/introspect"));
        idp.createContext("/introspect", ex -> answer(ex, 200, "{\"active\": false}", null));
        idp.start();
    }

    @After
    public void stop() {
        idp.stop(0);
        elsewhere.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange ex, int status, String body, String location)
            throws java.io.IOException {
        ex.getRequestBody().readAllBytes();
        if (location != null) {
            ex.getResponseHeaders().set("Location", location);
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private IdentityProvider provider() {
        OidcSettings settings = OidcSettings.from(Map.of("issuer", "http://127.0.0.1:" + idp.getAddress().getPort()
                + "/realms/x", "audience", "meridian-broker"));
        return new IdentityProvider(settings, Executors.newSingleThreadExecutor());
    }

    private java.net.URI at(String path) {
        return java.net.URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + path);
    }

    @Test
    public void aRedirectOnTheSameHostIsFollowed() throws Exception {
        assertEquals(Boolean.FALSE, provider().postForm(at("/moved"), "token=x", "id", "secret").get().get("active"));
    }

    @Test
    public void aRedirectToAnotherHostIsNot() throws Exception {
        try {
            provider().postForm(at("/away"), "token=x", "id", "secret").get();
            fail("a redirect to another host was followed");
        } catch (ExecutionException e) {
            assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("another host: not followed"));
        }
        assertEquals("the client secret and the token went elsewhere", 0, elsewhereCalls.get());
    }
}
