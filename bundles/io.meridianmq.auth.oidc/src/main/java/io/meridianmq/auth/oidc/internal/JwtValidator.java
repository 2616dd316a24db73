package io.meridianmq.auth.oidc.internal;

import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

/**
 * Checks a JWT the way the issuer signed it: the algorithm must be on the allow-list (never
 * {@code none}, never HMAC), the key must be one the issuer publishes for signing (a key id the
 * cached set does not know triggers one rate-limited refresh: keys rotate without a restart), the
 * signature must hold, and {@code iss}, {@code aud}, {@code exp}, {@code nbf} must fit, with the
 * configured clock skew.
 *
 * <p>Threading: thread-safe; {@link #check} never blocks.
 */
final class JwtValidator {

    private final IdentityProvider provider;
    private final OidcSettings settings;
    private final DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier;

    JwtValidator(IdentityProvider provider) {
        this.provider = provider;
        this.settings = provider.settings();
        this.claimsVerifier = new DefaultJWTClaimsVerifier<>(
                settings.audiences().isEmpty() ? null : settings.audiences(),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(),
                Set.of("exp", "iss"), null);
        this.claimsVerifier.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, settings.clockSkew().toSeconds()));
    }

    /** Whether {@code token} has the shape of a JWT (three base64url parts, a header naming {@code alg}). */
    static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
            return false;
        }
        try {
            String header = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, first)),
                    java.nio.charset.StandardCharsets.UTF_8);
            return header.contains("\"alg\"");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    CompletableFuture<TokenCheck> check(String token) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            return done(TokenCheck.refused("not a valid JWT: " + e.getMessage()));
        }
        if (jwt instanceof PlainJWT) {
            return done(TokenCheck.refused("unsigned token (alg: none) refused"));
        }
        if (!(jwt instanceof SignedJWT signed)) {
            return done(TokenCheck.refused("encrypted tokens (JWE) are not accepted"));
        }
        JWSHeader header = signed.getHeader();
        JWSAlgorithm alg = header.getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            return done(TokenCheck.refused("algorithm " + alg + " refused: an HMAC token would use the issuer's "
                    + "public key as a shared secret (key confusion)"));
        }
        if (!settings.algorithms().contains(alg)) {
            return done(TokenCheck.refused("algorithm " + alg + " is not in the allow-list " + settings.algorithms()));
        }
        return provider.keys().thenCompose(keys -> {
            if (header.getKeyID() != null && matching(keys, header).isEmpty()) {
                // a key we have not seen: the issuer may have rotated its keys
                return provider.refresh(true).thenApply(fresh -> verify(signed, fresh));
            }
            return CompletableFuture.completedFuture(verify(signed, keys));
        }).exceptionally(failure -> TokenCheck.refused("the issuer's keys are not available: "
                + IdentityProvider.describe(failure)));
    }

    private static CompletableFuture<TokenCheck> done(TokenCheck check) {
        return CompletableFuture.completedFuture(check);
    }

    /** The signing keys of {@code keys} that fit the token's key id and algorithm. */
    private static List<JWK> matching(JWKSet keys, JWSHeader header) {
        JWKMatcher matcher = new JWKMatcher.Builder()
                .keyIDs(header.getKeyID() == null ? null : new HashSet<>(Arrays.asList(header.getKeyID())))
                .keyUses(KeyUse.SIGNATURE, null)
                .keyTypes(com.nimbusds.jose.jwk.KeyType.forAlgorithm(header.getAlgorithm()))
                .build();
        return new JWKSelector(matcher).select(keys);
    }

    private TokenCheck verify(SignedJWT jwt, JWKSet keys) {
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates = matching(keys, header);
        if (candidates.isEmpty()) {
            return TokenCheck.refused(header.getKeyID() == null ? "no signing key of the issuer fits the token"
                    : "unknown key id '" + header.getKeyID() + "' (not in the issuer's key set)");
        }
        JWTClaimsSet claims;
        try {
            if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) || "Ed25519".equals(header.getAlgorithm().getName())) {
                claims = verifyEd25519(jwt, candidates);
            } else {
                DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
                processor.setJWSKeySelector(new JWSVerificationKeySelector<>(settings.algorithms(),
                        new ImmutableJWKSet<>(new JWKSet(candidates))));
                processor.setJWTClaimsSetVerifier(claimsVerifier);
                claims = processor.process(jwt, null);
            }
        } catch (BadJOSEException e) {
            return TokenCheck.refused(e.getMessage());
        } catch (JOSEException | ParseException e) {
            return TokenCheck.refused("cannot verify the token: " + e.getMessage());
        }
        Date exp = claims.getExpirationTime();
        return TokenCheck.valid(claims.toJSONObject(), exp == null ? null : exp.toInstant());
    }

    /**
     * EdDSA (Ed25519) with the JDK's own implementation: nimbus would need Google Tink for it.
     * Then the same claim checks as for the other algorithms.
     */
    private JWTClaimsSet verifyEd25519(SignedJWT jwt, List<JWK> candidates)
            throws BadJOSEException, JOSEException, ParseException {
        for (JWK jwk : candidates) {
            if (!(jwk instanceof OctetKeyPair okp) || !"Ed25519".equals(okp.getCurve().getName())) {
                continue;
            }
            try {
                byte[] x = okp.getX().decode();
                byte[] prefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
                byte[] encoded = new byte[prefix.length + x.length];
                System.arraycopy(prefix, 0, encoded, 0, prefix.length);
                System.arraycopy(x, 0, encoded, prefix.length, x.length);
                PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(key);
                verifier.update(jwt.getSigningInput());
                if (verifier.verify(jwt.getSignature().decode())) {
                    JWTClaimsSet claims = jwt.getJWTClaimsSet();
                    claimsVerifier.verify(claims, null);
                    return claims;
                }
            } catch (java.security.GeneralSecurityException e) {
                throw new JOSEException("Ed25519: " + e.getMessage(), e);
            }
        }
        throw new BadJWTException("Signed JWT rejected: Invalid signature");
    }

}
