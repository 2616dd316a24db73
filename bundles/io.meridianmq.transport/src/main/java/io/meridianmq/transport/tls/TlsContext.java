package io.meridianmq.transport.tls;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS settings of one listener and the SSL context made from them, through OpenSSL (BoringSSL,
 * from netty-tcnative) when it loads on this machine and the JDK's provider otherwise.
 * A renewed certificate or key file is picked up for new connections (checked at most once a
 * second); connections already open keep their session. A renewal that cannot be read is logged
 * and the previous certificate stays in use.
 *
 * <p>Settings (Mosquitto's names where it has them): {@code certfile} + {@code keyfile} (PEM), or
 * {@code keystore} + {@code keystore_password} (PKCS#12); {@code tls_version} (TLS protocols,
 * default {@code TLSv1.3,TLSv1.2}); {@code ciphers}; {@code client_auth} ({@code none},
 * {@code optional}, {@code required}) with {@code cafile}, and {@code crlfile} to refuse revoked
 * client certificates; {@code tls_provider} ({@code auto}, the default: OpenSSL when it loads, else
 * the JDK; {@code openssl}: OpenSSL or the listener does not start; {@code jdk}).
 *
 * <p>Threading: any thread; {@link #current()} is called on every event loop that accepts.
 */
public final class TlsContext {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);
    private static final List<String> ALLOWED_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

    private final String source;
    private final Path certFile;
    private final Path keyFile;
    private final Path keyStore;
    private final char[] keyStorePassword;
    private final Path caFile;
    private final Path crlFile;
    private final String[] protocols;
    private final List<String> ciphers;
    private final ClientAuth clientAuth;
    private final SslProvider provider;

    private volatile SslContext context;
    private volatile long loadedStamp;
    private volatile long lastCheck;

    /**
     * Reads the TLS settings from a listener's (or the management server's) configuration.
     *
     * @param source names the configuration in log lines and errors (its file)
     * @throws IllegalArgumentException when a setting is invalid or a file cannot be read
     */
    public TlsContext(Map<String, Object> config, String source) {
        this.source = source;
        certFile = path(config, "certfile");
        keyFile = path(config, "keyfile");
        keyStore = path(config, "keystore");
        Object pw = config.get("keystore_password");
        keyStorePassword = pw == null ? new char[0] : pw.toString().toCharArray();
        caFile = path(config, "cafile");
        crlFile = path(config, "crlfile");
        Object tls = config.get("tls_version");
        protocols = tls == null ? new String[] {"TLSv1.3", "TLSv1.2"}
                : Arrays.stream(tls.toString().split(",")).map(String::trim).toArray(String[]::new);
        for (String p : protocols) {
            if (!ALLOWED_PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException(source + ": tls_version = " + p + " is not allowed (TLSv1.2, TLSv1.3)");
            }
        }
        Object c = config.get("ciphers");
        ciphers = c == null ? null : Arrays.stream(c.toString().split(",")).map(String::trim).toList();
        String auth = config.get("client_auth") == null ? "none" : config.get("client_auth").toString().trim();
        clientAuth = switch (auth) {
            case "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "required" -> ClientAuth.REQUIRE;
            default -> throw new IllegalArgumentException(source + ": client_auth = " + auth
                    + " is not one of none, optional, required");
        };
        if (clientAuth != ClientAuth.NONE && caFile == null) {
            throw new IllegalArgumentException(source + ": client_auth = " + auth + " needs cafile");
        }
        if (crlFile != null && caFile == null) {
            throw new IllegalArgumentException(source + ": crlfile needs cafile");
        }
        if ((certFile == null || keyFile == null) && keyStore == null) {
            throw new IllegalArgumentException(source + ": a TLS listener needs certfile and keyfile (PEM) or keystore");
        }
        provider = provider(config, source);
        context = build(); // a listener with unusable TLS settings does not start
        loadedStamp = stamp();
    }

    /** The provider tls_provider asks for; said once per listener so operators know which one runs. */
    private static SslProvider provider(Map<String, Object> config, String source) {
        String wanted = String.valueOf(config.getOrDefault("tls_provider", "auto")).trim();
        boolean openSsl = switch (wanted) {
            case "auto" -> OpenSsl.isAvailable();
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException(source + ": tls_provider = openssl, but OpenSSL cannot be loaded here ("
                            + OpenSsl.unavailabilityCause() + ")");
                }
                yield true;
            }
            case "jdk" -> false;
            default -> throw new IllegalArgumentException(source + ": tls_provider = " + wanted
                    + " is not one of auto, openssl, jdk");
        };
        if (openSsl) {
            LOG.info("{}: TLS through {} (netty-tcnative)", source, OpenSsl.versionString());
            return SslProvider.OPENSSL;
        }
        LOG.info("{}: TLS through the JDK{}", source, "auto".equals(wanted)
                ? " (OpenSSL is not available: " + OpenSsl.unavailabilityCause() + ")" : "");
        return SslProvider.JDK;
    }

    private static Path path(Map<String, Object> config, String key) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? null : Paths.get(v.toString().trim());
    }

    /** The SSL context for a new connection: the latest certificate and key that could be read. */
    public SslContext current() {
        long now = System.currentTimeMillis();
        if (now - lastCheck > 1000) {
            lastCheck = now;
            long stamp = stamp();
            if (stamp != loadedStamp) {
                try {
                    context = build();
                    loadedStamp = stamp;
                    LOG.info("{}: TLS certificate reloaded; new connections use it", source);
                } catch (RuntimeException e) {
                    loadedStamp = stamp; // do not retry a broken file on every connection
                    LOG.error("{}: cannot use the renewed TLS files ({}); keeping the previous certificate", source,
                            e.getMessage());
                }
            }
        }
        return context;
    }

    private long stamp() {
        long s = 0;
        for (Path p : new Path[] {certFile, keyFile, keyStore, caFile, crlFile}) {
            if (p != null) {
                try {
                    s = s * 31 + Files.getLastModifiedTime(p).toMillis() + Files.size(p);
                } catch (java.io.IOException e) {
                    s = s * 31 - 1;
                }
            }
        }
        return s;
    }

    /** Client certificates must chain to cafile and not be revoked by crlfile (Mosquitto's crlfile). */
    private javax.net.ssl.TrustManagerFactory revocationCheckingTrust() throws Exception {
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        java.util.Set<java.security.cert.TrustAnchor> anchors = new java.util.HashSet<>();
        try (InputStream in = Files.newInputStream(caFile)) {
            for (java.security.cert.Certificate c : x509.generateCertificates(in)) {
                anchors.add(new java.security.cert.TrustAnchor((java.security.cert.X509Certificate) c, null));
            }
        }
        java.util.Collection<? extends java.security.cert.CRL> crls;
        try (InputStream in = Files.newInputStream(crlFile)) {
            crls = x509.generateCRLs(in);
        }
        java.security.cert.PKIXBuilderParameters params = new java.security.cert.PKIXBuilderParameters(anchors,
                new java.security.cert.X509CertSelector());
        params.setRevocationEnabled(true);
        params.addCertStore(java.security.cert.CertStore.getInstance("Collection",
                new java.security.cert.CollectionCertStoreParameters(crls)));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(new javax.net.ssl.CertPathTrustManagerParameters(params));
        return tmf;
    }

    private SslContext build() {
        try {
            SslContextBuilder b;
            if (keyStore != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(keyStore)) {
                    ks.load(in, keyStorePassword);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, keyStorePassword);
                b = SslContextBuilder.forServer(kmf);
            } else {
                b = SslContextBuilder.forServer(certFile.toFile(), keyFile.toFile());
            }
            b.sslProvider(provider).protocols(protocols).clientAuth(clientAuth);
            if (ciphers != null) {
                b.ciphers(ciphers);
            }
            if (caFile != null && crlFile != null) {
                b.trustManager(revocationCheckingTrust());
            } else if (caFile != null) {
                b.trustManager(new File(caFile.toString()));
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalArgumentException(source + ": cannot load the TLS certificate or key: " + e.getMessage(), e);
        }
    }
}
