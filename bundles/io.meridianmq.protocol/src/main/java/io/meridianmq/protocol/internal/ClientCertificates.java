package io.meridianmq.protocol.internal;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;

/**
 * The client certificate a TLS handshake verified, and the identity a listener takes from it
 * ({@code use_identity_as_username}: its CN; {@code use_subject_as_username}: its subject DN).
 *
 * <p>Threading: stateless; called on the channel's event loop.
 */
final class ClientCertificates {

    private ClientCertificates() {
    }

    /** The verified client certificate, or null (plain connection, or none sent). */
    static X509Certificate verified(Channel channel) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls == null) {
            return null;
        }
        try {
            Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The certificate's CN (or its whole subject DN), or null without a certificate or a CN. */
    static String identity(X509Certificate certificate, boolean wholeSubject) {
        if (certificate == null) {
            return null;
        }
        X500Principal subject = certificate.getSubjectX500Principal();
        if (wholeSubject) {
            return subject.getName();
        }
        try {
            for (Rdn rdn : new LdapName(subject.getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
            return null;
        } catch (InvalidNameException e) {
            return null;
        }
    }
}
