package io.meridianmq.bench;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The load generator's network side: event loops (epoll when available) and connecting many
 * clients at once, from several 127.0.0.x source addresses when asked to.
 */
final class LoadGenerator implements AutoCloseable {

    private final EventLoopGroup loops;
    private final Bootstrap bootstrap;
    /** Whether {@link #close()} stops the loops (false for a {@link #withTls} view of them). */
    private final boolean ownsLoops;

    LoadGenerator(int threads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        loops = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("loadgen", true), factory);
        bootstrap = new Bootstrap().group(loops).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class);
        ownsLoops = true;
    }

    private LoadGenerator(LoadGenerator base, SslContext tls) {
        loops = base.loops;
        bootstrap = base.bootstrap.clone().attr(LoadClient.TLS, tls);
        ownsLoops = false;
    }

    /** The same event loops, with clients that speak TLS with {@code tls}; closing it closes nothing. */
    LoadGenerator withTls(SslContext tls) {
        return new LoadGenerator(this, tls);
    }

    /** Connects {@code count} clients named {@code prefix-i}, at most {@code parallel} at a time. */
    List<LoadClient> connect(InetSocketAddress broker, String prefix, int count, int parallel, int keepAlive,
            List<String> sourceAddresses) throws Exception {
        List<LoadClient> clients = new ArrayList<>(count);
        List<CompletableFuture<LoadClient>> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            InetSocketAddress local = sourceAddresses.isEmpty() ? null
                    : new InetSocketAddress(sourceAddresses.get(i % sourceAddresses.size()), 0);
            batch.add(LoadClient.connect(bootstrap, broker, local, prefix + "-" + i, keepAlive));
            if (batch.size() == parallel || i == count - 1) {
                for (CompletableFuture<LoadClient> f : batch) {
                    clients.add(f.get(60, TimeUnit.SECONDS));
                }
                batch.clear();
            }
        }
        return clients;
    }

    /** What a connection storm got: the clients connected, how many failed, and how long it took. */
    record Storm(List<LoadClient> clients, int failed, String firstFailure, long nanos, Histogram connectMicros) {
    }

    /**
     * Connects {@code count} clients named {@code prefix-i} as {@code login}, keeping
     * {@code outstanding} connects under way (each one that ends starts the next; {@code count}
     * means all at once), and times it from the first connect to the last CONNACK. A client
     * that fails (refused, timed out, closed) is counted, not retried.
     */
    Storm storm(InetSocketAddress broker, String prefix, int count, int outstanding, LoadClient.Login login)
            throws InterruptedException {
        List<LoadClient> clients = java.util.Collections.synchronizedList(new ArrayList<>(count));
        Histogram micros = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(count);
        Runnable[] startOne = new Runnable[1];
        startOne[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= count) {
                return;
            }
            long began = System.nanoTime();
            LoadClient.connect(bootstrap, broker, null, prefix + "-" + i, 600, login)
                    .orTimeout(60, TimeUnit.SECONDS).whenComplete((c, e) -> {
                        if (e == null) {
                            micros.recordValue((System.nanoTime() - began) / 1000);
                            clients.add(c);
                        } else {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        }
                        done.countDown();
                        startOne[0].run();
                    });
        };
        long start = System.nanoTime();
        for (int i = 0; i < Math.min(outstanding, count); i++) {
            startOne[0].run();
        }
        if (!done.await(180, TimeUnit.SECONDS)) {
            failed.addAndGet((int) done.getCount());
            firstFailure.compareAndSet(null, done.getCount() + " connects had no answer in 180 s");
        }
        return new Storm(new ArrayList<>(clients), failed.get(), firstFailure.get(), System.nanoTime() - start, micros);
    }

    /** Connects one client as {@code login}, its {@code receiver} (null: none) in place from the start. */
    LoadClient connect(InetSocketAddress broker, String clientId, LoadClient.Login login, LoadClient.Receiver receiver)
            throws Exception {
        return LoadClient.connect(bootstrap, broker, null, clientId, 600, login, receiver).get(60, TimeUnit.SECONDS);
    }

    List<LoadClient> connect(InetSocketAddress broker, String prefix, int count) throws Exception {
        return connect(broker, prefix, count, 200, 600, List.of());
    }

    /** Whether {@code broker} accepts an MQTT connection within {@code seconds}. */
    boolean answers(InetSocketAddress broker, int seconds) {
        try {
            LoadClient c = LoadClient.connect(bootstrap, broker, null, "bench-probe-" + System.nanoTime(), 60)
                    .get(seconds, TimeUnit.SECONDS);
            closeAll(List.of(c));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static void closeAll(List<LoadClient> clients) {
        for (LoadClient c : clients) {
            c.close();
        }
        for (LoadClient c : clients) {
            try {
                c.closed().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                Channel ch = c.channel();
                ch.close();
            }
        }
    }

    @Override
    public void close() {
        if (!ownsLoops) {
            return;
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
