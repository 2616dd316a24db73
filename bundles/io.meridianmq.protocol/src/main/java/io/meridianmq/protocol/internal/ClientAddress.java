package io.meridianmq.protocol.internal;

import java.net.InetSocketAddress;

import io.meridianmq.protocol.ListenerOptions;
import io.netty.channel.Channel;

/**
 * Where a client connects from, as the broker and the log lines name it: the address a PROXY
 * protocol header gave when the listener takes one, the socket's peer otherwise, and 0.0.0.0:0
 * (unknown) on a channel that is not a network socket.
 *
 * <p>Threading: any.
 */
final class ClientAddress {

    private static final InetSocketAddress UNKNOWN = new InetSocketAddress(0);

    private ClientAddress() {
    }

    static InetSocketAddress of(Channel channel) {
        InetSocketAddress proxied = ChannelAttributes.peek(channel, ListenerOptions.PROXIED_ADDRESS);
        if (proxied != null) {
            return proxied;
        }
        return channel.remoteAddress() instanceof InetSocketAddress a ? a : UNKNOWN;
    }

    /** The client as log lines name it: {@code 'id' (address)}, or its address before CONNECT. */
    static String describe(Channel channel, String clientId) {
        InetSocketAddress remote = of(channel);
        String address = remote.getAddress().getHostAddress() + ":" + remote.getPort();
        return clientId == null || clientId.isEmpty() ? "at " + address + " (before CONNECT)"
                : "'" + clientId + "' (" + address + ")";
    }
}
