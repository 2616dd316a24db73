package io.meridianmq.protocol.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The open connections of one listener, newest first: what stopping the listener tells to go,
 * and where a new trace looks for its client. Linked through the connections' handlers
 * ({@link ListedConnection}) instead of a set with a close listener per channel (Netty's
 * {@code ChannelGroup}: about 80 bytes per connection, and a map update and a listener on every
 * connect).
 *
 * <p>Threading: any; guarded by this. A connection joins when it becomes active and leaves when
 * it closes, on its event loop; the listener's stop and traces copy the list from other threads.
 */
final class ListenerConnections {

    /** The most recent connection to join, or null. */
    private ListedConnection newest;
    private int size;

    synchronized void add(ListedConnection c) {
        c.older = newest;
        c.newer = null;
        if (newest != null) {
            newest.newer = c;
        }
        newest = c;
        size++;
    }

    /** Takes {@code c} out; nothing happens when it is not in the list (any more). */
    synchronized void remove(ListedConnection c) {
        if (c.newer == null && newest != c) {
            return;
        }
        if (c.newer != null) {
            c.newer.older = c.older;
        } else {
            newest = c.older;
        }
        if (c.older != null) {
            c.older.newer = c.newer;
        }
        c.older = null;
        c.newer = null;
        size--;
    }

    synchronized int size() {
        return size;
    }

    /** The connections open now, newest first. */
    synchronized List<ListedConnection> snapshot() {
        List<ListedConnection> all = new ArrayList<>(size);
        for (ListedConnection c = newest; c != null; c = c.older) {
            all.add(c);
        }
        return all;
    }
}
