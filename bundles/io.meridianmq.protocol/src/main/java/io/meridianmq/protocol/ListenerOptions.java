package io.meridianmq.protocol;

import java.net.InetSocketAddress;

import io.netty.util.AttributeKey;

/**
 * What a listener tells the protocol layer about its connections.
 *
 * @param identityAsUsername the client certificate's common name becomes the user name
 *        (Mosquitto's {@code use_identity_as_username}); the client is authenticated by its
 *        certificate
 * @param subjectAsUsername the same with the certificate's full subject DN
 *        ({@code use_subject_as_username})
 */
public record ListenerOptions(boolean identityAsUsername, boolean subjectAsUsername) {

    public static final ListenerOptions NONE = new ListenerOptions(false, false);

    /**
     * The client's real address as a PROXY protocol header gave it; the transport sets it before
     * any MQTT packet is read, the protocol layer prefers it to the socket's peer address.
     */
    public static final AttributeKey<InetSocketAddress> PROXIED_ADDRESS =
            AttributeKey.valueOf("meridian.proxied.address");
}
