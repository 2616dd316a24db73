package io.meridianmq.auth.oidc.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** The parts of token authentication that need no identity provider: settings, claims, shapes. */
public class TokenRulesTest {

    @Test
    public void hmacAlgorithmsCannotBeAllowed() {
        try {
            OidcSettings.from(Map.of("issuer", "http://127.0.0.1:1/realms/x", "audience", "b", "algorithms", "RS256, HS256"));
            fail("HS256 must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("HS256 is refused"));
        }
    }

    @Test
    public void introspectionNeedsTheBrokersClientCredentials() {
        try {
            OidcSettings.from(Map.of("issuer", "http://127.0.0.1:1/realms/x", "audience", "b", "introspect", "opaque"));
            fail("introspection without credentials must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("client_id and client_secret"));
        }
        try {
            OidcSettings.from(Map.of("issuer", "http://127.0.0.1:1/realms/x", "audience", "b", "expiry", "sometimes"));
            fail("a bad choice must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("use disconnect | ignore"));
        }
    }

    @Test
    public void anEmptyAudienceIsRefusedUnlessTurnedOffOnPurpose() {
        try {
            OidcSettings.from(Map.of("issuer", "https://idp.example.org/realms/x"));
            fail("an empty audience must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("audience is empty"));
        }
        assertTrue(OidcSettings.from(Map.of("issuer", "https://idp.example.org/realms/x", "audience_check", "false"))
                .audiences().isEmpty());
    }

    @Test
    public void plainHttpIsOnlyForAnIdentityProviderOnThisMachine() {
        for (String url : new String[] {"http://idp.example.org/realms/x", "http://10.0.0.1/realms/x", "ftp://x/y"}) {
            try {
                OidcSettings.from(Map.of("issuer", url, "audience", "b"));
                fail(url + " must be refused");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("must be https://"));
            }
        }
        try {
            OidcSettings.from(Map.of("issuer", "https://idp.example.org/x", "audience", "b", "jwks_uri",
                    "http://keys.example.org/jwks"));
            fail("jwks_uri over http elsewhere must be refused");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("jwks_uri"));
        }
        for (String url : new String[] {"http://127.0.0.1:8080/realms/x", "http://localhost/realms/x",
            "http://[::1]:8080/realms/x", "https://idp.example.org/realms/x"}) {
            OidcSettings.from(Map.of("issuer", url, "audience", "b"));
        }
    }

    @Test
    public void defaultsAreSafe() {
        OidcSettings s = OidcSettings.from(Map.of("issuer", "http://127.0.0.1:1/realms/x/", "audience", "b"));
        assertEquals("http://127.0.0.1:1/realms/x", s.issuer());
        assertEquals(OidcSettings.DEFAULT_ALGORITHMS, s.algorithms());
        assertTrue(s.enforceExpiry());
        assertTrue(s.usernameMustMatch());
        assertEquals(OidcSettings.Introspect.NEVER, s.introspect());
    }

    @Test
    public void claimsAreFoundByDottedPath() {
        Map<String, Object> claims = Map.of("realm_access", Map.of("roles", List.of("a", "b")),
                "resource_access", Map.of("meridian-broker", Map.of("roles", List.of("admin"))),
                "scope", "openid mqtt:publish", "x.y", "dotted key");
        assertEquals(List.of("a", "b"), Claims.strings(claims, "realm_access.roles"));
        assertEquals(List.of("admin"), Claims.strings(claims, "resource_access.meridian-broker.roles"));
        assertEquals(List.of("openid", "mqtt:publish"), Claims.strings(claims, "scope"));
        assertEquals("dotted key", Claims.string(claims, "x.y"));
        assertEquals(List.of(), Claims.strings(claims, "nothing.here"));
    }

    @Test
    public void clientIdPatterns() {
        assertTrue(TokenAuthentication.clientIdFits("%u-*", "alice", "alice-phone"));
        assertFalse(TokenAuthentication.clientIdFits("%u-*", "alice", "bob-phone"));
        assertTrue(TokenAuthentication.clientIdFits("dev.%u", "a.b", "dev.a.b"));
        assertFalse("a dot is a dot", TokenAuthentication.clientIdFits("dev.%u", "a", "devXa"));
    }

    @Test
    public void bearerTokensComeRawOrAsAnRfc7628Response() {
        assertEquals("abc.def.ghi", TokenAuthentication.bearerToken("abc.def.ghi".getBytes(StandardCharsets.UTF_8)));
        assertEquals("abc.def.ghi", TokenAuthentication.bearerToken(
                "n,,\u0001auth=Bearer abc.def.ghi\u0001\u0001".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void onlyJwtShapedPasswordsAreTakenForJwts() {
        assertTrue(JwtValidator.looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
        assertFalse(JwtValidator.looksLikeJwt("correct horse battery staple"));
        assertFalse(JwtValidator.looksLikeJwt("a.b.c"));
        assertFalse(JwtValidator.looksLikeJwt("eyJhbGciOiJSUzI1NiJ9.x.y.z"));
    }
}
