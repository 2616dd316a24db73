package io.meridianmq.protocol.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Reads a channel attribute without making it: {@code Channel.attr} adds an empty attribute to
 * the channel for good when it is missing, which every connection would then keep (and allocate
 * on each connect).
 *
 * <p>Threading: any; Netty's attribute map is thread-safe.
 */
final class ChannelAttributes {

    private ChannelAttributes() {
    }

    /** The value of {@code key} on {@code channel}, or null when it was never set. */
    static <T> T peek(Channel channel, AttributeKey<T> key) {
        return channel.hasAttr(key) ? channel.attr(key).get() : null;
    }
}
