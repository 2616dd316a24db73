package io.meridianmq.protocol.internal;

import io.netty.channel.Channel;

/**
 * Whether a connection's reading is paused (Netty's auto-read off), for as long as any of its
 * reasons holds: receivers it publishes to are congested, or it is over its publish rate. Pausing
 * reads leaves unread bytes in the client's socket, so TCP's window holds the client back and
 * the broker buffers nothing for it.
 *
 * <p>Threading: the channel's event loop only.
 */
final class ReadPause {

    private final Channel channel;
    /** How many reasons hold reading paused now. */
    private int holds;

    ReadPause(Channel channel) {
        this.channel = channel;
    }

    void pause() {
        if (holds++ == 0) {
            channel.config().setAutoRead(false);
        }
    }

    void resume() {
        if (holds > 0 && --holds == 0) {
            channel.config().setAutoRead(true);
        }
    }
}
