package io.meridianmq.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.junit.Test;

/**
 * The cluster measured, not asserted (issue 20): the same scenarios on one node and across three
 * nodes on this machine, publishers and subscribers on different nodes: pairs, fan-in and
 * fan-out at QoS 1, the QoS 1 latency of a paced flow, and the memory each route costs a node.
 * Not part of the test suite (its name does not end in Test); run with
 * <pre>mvn -B -ntp -pl itests/io.meridianmq.e2e.tests verify -Dtest=ClusterBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 * {@code -Dbench.messages} sets the messages per scenario (default 100,000), {@code -Dbench.routes}
 * the routes for the memory figure (default 100,000). Three broker JVMs share the machine's
 * cores with the load generator: the figures say what the cluster costs, not what three machines give.
 */
public class ClusterBenchmark {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
    private static final int ROUTES = Integer.getInteger("bench.routes", 100_000);
    private static final int WINDOW = 100;
    /** {@code -Dbench.scenarios=false}: the memory per route only. */
    private static final boolean SCENARIOS = Boolean.parseBoolean(System.getProperty("bench.scenarios", "true"));
    private static final byte[] PAYLOAD = new byte[64];
    /** Room for the bursts: the figures are throughput, not the queue limits' drops. */
    private static final String LIMITS = "max_queued_messages = 1000000\nmax_queued_bytes = 0\n"
            + "max_inflight_messages = 100\n";

    @Test
    public void crossNodeAgainstOneNode() throws Exception {
        List<String> lines = new ArrayList<>();
        BrokerProcess single = new BrokerProcess().withEtcFile("io.meridianmq.broker.cfg", LIMITS);
        try {
            if (SCENARIOS) {
                single.start();
            String[] one = {single.uri(), single.uri(), single.uri()};
            lines.add(String.format(Locale.ROOT, "one node:    %s", scenarios(one)));
                report(lines);
            }
        } finally {
            single.stop();
        }
        ClusterNodes cluster = new ClusterNodes(3).withEtcFile("io.meridianmq.broker.cfg", LIMITS);
        try {
            cluster.before();
            String[] three = {cluster.node(0).uri(), cluster.node(1).uri(), cluster.node(2).uri()};
            if (SCENARIOS) {
                lines.add(String.format(Locale.ROOT, "three nodes: %s", scenarios(three)));
                report(lines);
            }
            lines.add(memoryPerRoute(cluster));
            report(lines);
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            cluster.after();
        }
        java.util.logging.Logger.getLogger(ClusterBenchmark.class.getName()).info(report(lines));
    }

    /** The figures so far, written to {@code target/cluster-benchmark.txt} (kept when a later stage fails). */
    private static String report(List<String> lines) throws java.io.IOException {
        StringBuilder report = new StringBuilder("\nClusterBenchmark (" + MESSAGES
                + " messages per scenario, QoS 1, 64-byte payloads):\n");
        lines.forEach(l -> report.append("  ").append(l).append('\n'));
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/cluster-benchmark.txt"), report);
        return report.toString();
    }

    private static String scenarios(String[] nodes) throws Exception {
        double pairs = pairs(nodes, 6);
        double fanIn = fanIn(nodes, 6);
        double fanOut = fanOut(nodes, 30);
        long[] latency = latency(nodes, 1000, 10);
        return String.format(Locale.ROOT, "pairs %,.0f msg/s, fan-in %,.0f msg/s, fan-out 1:30 %,.0f deliveries/s, "
                + "QoS 1 latency at 1,000 msg/s p50 %.2f ms p99 %.2f ms max %.2f ms", pairs, fanIn, fanOut,
                latency[0] / 1e6, latency[1] / 1e6, latency[2] / 1e6);
    }

    /** {@code n} publisher/subscriber pairs, each subscriber on the node after its publisher's. */
    private static double pairs(String[] nodes, int n) throws Exception {
        List<MqttAsyncClient> clients = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(n * (MESSAGES / n));
        try {
            List<Runnable> publishers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String topic = "bench/pairs/" + i + "/" + System.nanoTime();
                clients.add(subscriber(nodes, nodes[(i + 1) % nodes.length], topic, 1, (t, m) -> all.countDown()));
                MqttAsyncClient p = client(nodes[i % nodes.length]);
                clients.add(p);
                publishers.add(() -> publish(p, topic, MESSAGES / n));
            }
            return run(publishers, all, n * (MESSAGES / n));
        } finally {
            close(clients);
        }
    }

    /** {@code n} publishers spread over the nodes, one subscriber on the first node. */
    private static double fanIn(String[] nodes, int n) throws Exception {
        List<MqttAsyncClient> clients = new ArrayList<>();
        String topic = "bench/in/" + System.nanoTime();
        CountDownLatch all = new CountDownLatch(n * (MESSAGES / n));
        try {
            clients.add(subscriber(nodes, nodes[0], topic + "/+", 1, (t, m) -> all.countDown()));
            List<Runnable> publishers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                MqttAsyncClient p = client(nodes[i % nodes.length]);
                clients.add(p);
                String mine = topic + "/" + i;
                publishers.add(() -> publish(p, mine, MESSAGES / n));
            }
            return run(publishers, all, n * (MESSAGES / n));
        } finally {
            close(clients);
        }
    }

    /** One publisher on the first node, {@code n} subscribers spread over the nodes: deliveries per second. */
    private static double fanOut(String[] nodes, int n) throws Exception {
        List<MqttAsyncClient> clients = new ArrayList<>();
        String topic = "bench/out/" + System.nanoTime();
        int messages = MESSAGES / 10;
        CountDownLatch all = new CountDownLatch(n * messages);
        try {
            for (int i = 0; i < n; i++) {
                clients.add(subscriber(nodes, nodes[i % nodes.length], topic, 1, (t, m) -> all.countDown()));
            }
            MqttAsyncClient p = client(nodes[0]);
            clients.add(p);
            return run(List.of(() -> publish(p, topic, messages)), all, (long) n * messages);
        } finally {
            close(clients);
        }
    }

    /** p50, p99 and max latency (ns) of a paced QoS 1 flow from the first node to the second. */
    private static long[] latency(String[] nodes, int perSecond, int seconds) throws Exception {
        List<MqttAsyncClient> clients = new ArrayList<>();
        String topic = "bench/latency/" + System.nanoTime();
        ConcurrentLinkedQueue<Long> samples = new ConcurrentLinkedQueue<>();
        int count = perSecond * seconds;
        CountDownLatch all = new CountDownLatch(count);
        try {
            clients.add(subscriber(nodes, nodes[1], topic, 1, (t, m) -> {
                long sent = java.nio.ByteBuffer.wrap(m.getPayload()).getLong();
                samples.add(System.nanoTime() - sent);
                all.countDown();
            }));
            MqttAsyncClient p = client(nodes[0]);
            clients.add(p);
            long start = System.nanoTime();
            long interval = 1_000_000_000L / perSecond;
            for (int i = 0; i < count; i++) {
                long due = start + i * interval;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait(); // an open-loop pace, not a wait for a result
                }
                byte[] payload = java.nio.ByteBuffer.allocate(64).putLong(System.nanoTime()).array();
                p.publish(topic, payload, 1, false);
            }
            if (!all.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("latency: " + all.getCount() + " of " + count + " messages never arrived");
            }
            long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
            return new long[] {sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)],
                    sorted[sorted.length - 1]};
        } finally {
            close(clients);
        }
    }

    /** Heap a node holds per route of another node, after a full collection. */
    private static String memoryPerRoute(ClusterNodes cluster) throws Exception {
        BrokerProcess watched = cluster.node(0);
        long before = watched.liveHeapBytes();
        // 5,000 filters per client: one session's subscription copy is rebuilt on each change
        List<MqttAsyncClient> subscribers = new ArrayList<>();
        try {
            String[] filters = new String[1000];
            int[] qos = new int[1000];
            MqttAsyncClient s = null;
            for (int done = 0; done < ROUTES; done += filters.length) {
                if (done % 5000 == 0) {
                    s = client(cluster.node(1).uri());
                    subscribers.add(s);
                }
                for (int i = 0; i < filters.length; i++) {
                    filters[i] = "devices/site" + ((done + i) % 97) + "/device-" + (done + i) + "/+";
                }
                s.subscribe(filters, qos).waitForCompletion(30_000);
            }
            long subscribed = System.nanoTime();
            AtomicLong known = new AtomicLong();
            org.awaitility.Awaitility.await("every route reached the watched node").atMost(Duration.ofSeconds(300))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> watched.metric("meridian_cluster_routes_remote ") >= ROUTES);
            known.set(System.nanoTime());
            long after = watched.liveHeapBytes();
            return String.format(Locale.ROOT, "memory per route on another node: %,d bytes (%,d routes, heap %,d -> %,d"
                    + " bytes after a full GC; known everywhere %.1f s after the last SUBACK)", (after - before) / ROUTES,
                    ROUTES, before, after, (known.get() - subscribed) / 1e9);
        } finally {
            close(subscribers);
        }
    }

    private static double run(List<Runnable> publishers, CountDownLatch all, long expected) throws Exception {
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (Runnable r : publishers) {
            Thread t = new Thread(r, "bench-publisher");
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!all.await(120, TimeUnit.SECONDS)) {
            throw new AssertionError(all.getCount() + " of " + expected + " messages never arrived: a broker that "
                    + "loses messages gets no figure");
        }
        return expected / ((System.nanoTime() - start) / 1e9);
    }

    private static void publish(MqttAsyncClient client, String topic, int count) {
        WindowedPublishing.publish(client, topic, PAYLOAD, count, WINDOW);
    }

    private static MqttAsyncClient client(String uri) throws Exception {
        return WindowedPublishing.client(uri, WINDOW);
    }

    /**
     * A subscriber on {@code uri}, returned once a probe published on every node reached it (the
     * route is known everywhere); probes (shorter than the payloads) are not passed on.
     */
    private static MqttAsyncClient subscriber(String[] nodes, String uri, String filter, int qos,
            org.eclipse.paho.client.mqttv3.IMqttMessageListener onMessage) throws Exception {
        MqttAsyncClient c = client(uri);
        java.util.Set<String> probesIn = java.util.concurrent.ConcurrentHashMap.newKeySet();
        c.subscribe(filter, qos, (topic, m) -> {
            if (m.getPayload().length == PAYLOAD.length) {
                onMessage.messageArrived(topic, m);
            } else {
                probesIn.add(new String(m.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }).waitForCompletion(10_000);
        String probeTopic = filter.replace("+", "probe").replace("#", "probe");
        for (String node : new java.util.LinkedHashSet<>(Arrays.asList(nodes))) {
            MqttAsyncClient prober = client(node);
            try {
                org.awaitility.Awaitility.await("a route to " + filter + " from " + node).atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(50)).until(() -> {
                            prober.publish(probeTopic, node.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0,
                                    false);
                            return probesIn.contains(node);
                        });
            } finally {
                close(List.of(prober));
            }
        }
        return c;
    }

    private static void close(List<MqttAsyncClient> clients) {
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

}
