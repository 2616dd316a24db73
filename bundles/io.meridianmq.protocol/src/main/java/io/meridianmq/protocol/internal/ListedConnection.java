package io.meridianmq.protocol.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A connection's handler as its listener's {@link ListenerConnections} lists it: the list's links
 * live in the handler itself, so that listing a connection costs no entry object and no close
 * listener of its own.
 *
 * <p>Threading: {@link #listedIn} is set once, before the channel is active; {@link #older} and
 * {@link #newer} are guarded by that list's monitor; {@link #channel} is written once, when the
 * handler is added to the pipeline.
 */
abstract class ListedConnection extends ChannelInboundHandlerAdapter {

    /** The connection's channel, set when the handler joins the pipeline. */
    Channel channel;
    /** The list it joins while active, or null (connections made by tests). */
    ListenerConnections listedIn;
    ListedConnection older;
    ListedConnection newer;

    /** Joins the listener's list: the channel is active. */
    final void listed() {
        if (listedIn != null) {
            listedIn.add(this);
        }
    }

    /** Leaves the listener's list: the channel is closed. */
    final void unlisted() {
        if (listedIn != null) {
            listedIn.remove(this);
        }
    }
}
