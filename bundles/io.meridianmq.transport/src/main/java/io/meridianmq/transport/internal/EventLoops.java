package io.meridianmq.transport.internal;

import java.util.concurrent.TimeUnit;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty event loops every listener shares: one acceptor thread and one I/O thread per core,
 * on epoll when the native transport loads, on NIO otherwise.
 */
@Component(service = EventLoops.class)
public class EventLoops {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private EventLoopGroup acceptors;
    private EventLoopGroup workers;
    private boolean epoll;

    @Activate
    void activate() {
        epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("meridian-accept", true), factory);
        workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("meridian-io", true), factory);
        if (!epoll) {
            LOG.info("Native epoll transport not available ({}); using NIO", Epoll.unavailabilityCause());
        }
    }

    @Deactivate
    void deactivate() {
        // a short quiet period: the default one adds two seconds to every stop
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    EventLoopGroup acceptors() {
        return acceptors;
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
