package io.meridianmq.transport.internal;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.meridianmq.transport.IoThreads;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty event loops every listener shares: {@code io_threads} I/O threads
 * ({@code etc/io.meridianmq.transport.cfg}; by default one per core), on epoll when the native
 * transport loads, on NIO otherwise. A listener accepts on one of them too (no thread of its
 * own): a new connection that stays on the accepting loop is set up in the same turn, one that
 * goes to another loop is handed over as before, and no accept thread needs waking per client
 * (on two cores, 5-13 % less CPU per connecting client; docs/PERFORMANCE.md).
 *
 * <p>Every client connection lives on one I/O thread for its life, so the thread count is read at
 * start only: changing it live would mean closing every connection. An edit is acknowledged in the
 * log and applies at the next start.
 */
@Component(service = {EventLoops.class, IoThreads.class}, configurationPid = EventLoops.PID)
public class EventLoops implements IoThreads {

    static final String PID = "io.meridianmq.transport";
    static final String IO_THREADS = "io_threads";

    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private EventLoopGroup workers;
    private boolean epoll;
    private int ioThreads;
    private final LagProbe lag = new LagProbe();

    @Activate
    void activate(Map<String, Object> config) {
        epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        int cores = Runtime.getRuntime().availableProcessors();
        int configured = ioThreads(config, cores);
        ioThreads = configured > 0 ? configured : cores;
        workers = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("meridian-io", true), factory);
        lag.start(workers);
        if (!epoll) {
            LOG.info("Native epoll transport not available ({}); using NIO", Epoll.unavailabilityCause());
        }
        LOG.info("Network I/O: {}, {} I/O thread(s) for {} core(s)", transportName(), ioThreads, cores);
    }

    @Modified
    void modified(Map<String, Object> config) {
        int wanted = ioThreads(config, Runtime.getRuntime().availableProcessors());
        if (wanted > 0 && wanted != ioThreads) {
            LOG.warn("{}: {} = {} applies at the next start; the running broker keeps {} I/O thread(s) "
                    + "(changing it live would close every connection)", source(config), IO_THREADS,
                    config.get(IO_THREADS), ioThreads);
        }
    }

    /**
     * The configured I/O thread count: {@code io_threads}, absent or 0 for one per core; -1 for a
     * bad value, which is logged with the file and the key.
     */
    static int ioThreads(Map<String, Object> config, int cores) {
        Object raw = config.get(IO_THREADS);
        if (raw == null || raw.toString().isBlank()) {
            return cores;
        }
        try {
            int n = Integer.parseInt(raw.toString().trim());
            if (n >= 0 && n <= 1024) {
                return n == 0 ? cores : n;
            }
            LOG.error("{}: {} = {} is out of range [0..1024] (0: one per core)", source(config), IO_THREADS, raw);
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number (0: one per core)", source(config), IO_THREADS, raw);
        }
        return -1;
    }

    private static String source(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        return file != null ? file.toString() : "configuration " + PID;
    }

    @Deactivate
    void deactivate() {
        // a short quiet period: the default one adds two seconds to every stop
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Override
    public Map<String, Long> lagNanos() {
        return lag.lagNanos();
    }

    EventLoopGroup workers() {
        return workers;
    }

    Class<? extends ServerChannel> serverChannelType() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    String transportName() {
        return epoll ? "epoll" : "nio";
    }
}
