package io.meridianmq.transport.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a listener's accepted sockets in, or closes them at once, before any pipeline, buffer or
 * TLS engine is made for them: past {@code max_connections} on the listener, past
 * {@code max_connection_rate} accepts per second, or past {@code max_connections_per_address}
 * from one IP address. It sits on the server channel, ahead of Netty's acceptor. Refusals are
 * counted by limit and logged at most every ten seconds per limit (a reconnect storm must not
 * become a log storm), naming the last address refused.
 *
 * <p>Threading: {@link #channelRead} on the event loop that accepts for the listener, which owns
 * the rate bucket; the open counts are concurrent, as connections close on their own event loops.
 */
@Sharable
final class AdmissionGate extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(AdmissionGate.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String listener;
    private volatile AdmissionLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> openByAddress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refused = new ConcurrentHashMap<>();
    /** Accept tokens left and when they were last refilled (the accepting event loop). */
    private double tokens = -1;
    private long refilledAt;
    /** Per limit: when a refusal was last logged, and how many since (the accepting event loop). */
    private final Map<String, long[]> logState = new java.util.HashMap<>();

    AdmissionGate(String listener, AdmissionLimits limits) {
        this.listener = listener;
        this.limits = limits;
    }

    void limits(AdmissionLimits limits) {
        this.limits = limits;
    }

    /** Refused accepts by limit ({@code max_connections}, {@code max_connection_rate}, {@code max_connections_per_address}). */
    Map<String, Long> refused() {
        Map<String, Long> now = new TreeMap<>();
        refused.forEach((k, v) -> now.put(k, v.sum()));
        return now;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        AdmissionLimits l = limits;
        InetAddress address = addressOf(child);
        String limit = null;
        if (l.maxConnections() >= 0 && open.get() >= l.maxConnections()) {
            limit = "max_connections";
        } else if (l.connectionsPerSecond() > 0 && !takeToken(l.connectionsPerSecond())) {
            limit = "max_connection_rate";
        } else if (l.maxPerAddress() >= 0 && address != null && openFrom(address) >= l.maxPerAddress()) {
            limit = "max_connections_per_address";
        }
        if (limit != null) {
            refuse(child, limit, l, address);
            return;
        }
        open.incrementAndGet();
        if (address != null) {
            openByAddress.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
        }
        // one listener for all children, not a lambda per connection: the address is read again
        // from the channel, which keeps the one it was accepted with
        child.closeFuture().addListener(whenClosed);
        ctx.fireChannelRead(child);
    }

    private int openFrom(InetAddress address) {
        AtomicInteger n = openByAddress.get(address);
        return n == null ? 0 : n.get();
    }

    private final ChannelFutureListener whenClosed = f -> closed(addressOf(f.channel()));

    private static InetAddress addressOf(Channel child) {
        return child.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
    }

    private void closed(InetAddress address) {
        open.decrementAndGet();
        if (address != null) {
            openByAddress.computeIfPresent(address, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    private boolean takeToken(int perSecond) {
        long now = System.nanoTime();
        if (tokens < 0) {
            tokens = perSecond; // a full second's burst to start with
        } else {
            tokens = Math.min(perSecond, tokens + (now - refilledAt) / 1e9 * perSecond);
        }
        refilledAt = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private void refuse(Channel child, String limit, AdmissionLimits l, InetAddress address) {
        child.unsafe().closeForcibly(); // not registered yet: nothing else was made for it
        refused.computeIfAbsent(limit, k -> new LongAdder()).increment();
        long now = System.nanoTime();
        long[] state = logState.computeIfAbsent(limit, k -> new long[] {now - LOG_EVERY_NANOS, 0});
        state[1]++;
        if (now - state[0] >= LOG_EVERY_NANOS) {
            String value = switch (limit) {
                case "max_connections" -> String.valueOf(l.maxConnections());
                case "max_connection_rate" -> l.connectionsPerSecond() + "/s";
                default -> String.valueOf(l.maxPerAddress());
            };
            LOG.warn("Listener '{}': closed {} new connection(s) at {} = {} (the last from {}); counted in "
                    + "meridian_connections_refused_total", listener, state[1], limit, value,
                    address == null ? "an unknown address" : address.getHostAddress());
            state[0] = now;
            state[1] = 0;
        }
    }
}
