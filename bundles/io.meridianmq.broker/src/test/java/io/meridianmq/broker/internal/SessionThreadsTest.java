package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.ClientSession;
import io.meridianmq.broker.ConnectRequest;
import io.meridianmq.broker.ConnectResult;
import io.meridianmq.broker.DisconnectReason;
import io.meridianmq.broker.InboundPublish;
import io.meridianmq.broker.OutboundPublish;
import io.meridianmq.broker.TopicSubscription;
import io.meridianmq.storage.memory.internal.InMemoryRetainedMessageStore;
import io.meridianmq.storage.memory.internal.TransientSessionStore;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The session's threads, with real ones (not the inline executors of {@link SessionFlowTest}): a
 * session's state is touched by one thread at a time, and a connection's writes come from the
 * connection's own thread.
 */
public class SessionThreadsTest {

    /** A connection whose event loop is a named thread; records the thread of every write. */
    static final class LoopConnection implements ClientConnection {
        final ExecutorService loop;
        final List<String> writeThreads = new ArrayList<>();

        LoopConnection(String name) {
            loop = Executors.newSingleThreadExecutor(r -> new Thread(r, name));
        }

        @Override
        public Executor executor() {
            return loop;
        }

        @Override
        public synchronized boolean sendPublish(OutboundPublish publish) {
            writeThreads.add(Thread.currentThread().getName());
            return true;
        }

        @Override
        public synchronized void sendPubrel(int packetId) {
            writeThreads.add(Thread.currentThread().getName());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close(DisconnectReason reason, String detail) {
        }

        synchronized List<String> writes() {
            return List.copyOf(writeThreads);
        }
    }

    private BrokerCore core;
    private final List<LoopConnection> connections = new ArrayList<>();

    @Before
    public void startCore() {
        core = new BrokerCore(); // real offline-session threads
        core.retained = new InMemoryRetainedMessageStore();
        core.store = new TransientSessionStore();
        core.plugins.authenticators.add(new AnonymousAuthenticator(), "anonymous", Integer.MIN_VALUE);
        core.metrics = new MetricsRegistry();
        core.pluginCallTimeout = PluginInvoker.CALL_TIMEOUT;
        core.activate(Map.of());
    }

    @After
    public void stopCore() {
        core.deactivate();
        connections.forEach(c -> c.loop.shutdownNow());
    }

    private LoopConnection connection(String name) {
        LoopConnection c = new LoopConnection(name);
        connections.add(c);
        return c;
    }

    private ClientSession open(String clientId, ClientConnection connection) {
        ConnectRequest request = new ConnectRequest(clientId, false, 60, null, null, null,
                new InetSocketAddress("127.0.0.1", 40000), "test", 5, ConnectRequest.NEVER_EXPIRES, 65535);
        ConnectResult result = core.connect(request, connection).toCompletableFuture().join();
        assertTrue(result.reason(), result.accepted());
        result.session().open();
        return result.session();
    }

    @Test
    public void aResumedSessionSendsWhatWaitedForItOnTheNewConnectionsThread() throws Exception {
        ClientSession sub = open("sub", connection("first-loop"));
        CompletableFuture<int[]> granted = new CompletableFuture<>();
        sub.subscribe(List.of(new TopicSubscription("t", 1)), granted::complete);
        assertEquals(1, granted.get(10, TimeUnit.SECONDS)[0]);
        sub.disconnected(false);

        ClientSession pub = open("pub", connection("publisher-loop"));
        AtomicInteger accepted = new AtomicInteger();
        for (int i = 1; i <= 5; i++) {
            pub.publish(new InboundPublish(i, "t", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false),
                    reason -> accepted.incrementAndGet());
        }
        PluginFaultsTest.awaitTrue(() -> accepted.get() == 5);

        // the session moves to the new connection's thread before it resends: the queued messages
        // are written there, not from the offline thread that held them
        LoopConnection second = connection("second-loop");
        open("sub", second);
        PluginFaultsTest.awaitTrue(() -> second.writes().size() == 5);
        assertEquals(List.of("second-loop", "second-loop", "second-loop", "second-loop", "second-loop"),
                second.writes());
    }
}
