package io.meridianmq.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.rules.ExternalResource;

/**
 * Three (or more) Meridian distributions started as separate processes on loopback, each with
 * the {@code meridian-cluster} feature booted and {@code etc/io.meridianmq.cluster.cfg} naming
 * all of them, as an operator would set up a cluster: the rule waits until every node sees the
 * whole cluster, and stops every node afterwards.
 */
final class ClusterNodes extends ExternalResource {

    final List<BrokerProcess> nodes = new ArrayList<>();
    private final List<Integer> memberPorts = new ArrayList<>();
    private final String name = "e2e-" + Long.toHexString(System.nanoTime());

    ClusterNodes(int count) {
        try {
            for (int i = 0; i < count; i++) {
                memberPorts.add(BrokerProcess.freePort());
            }
        } catch (IOException e) {
            throw new IllegalStateException("no free port for a cluster member", e);
        }
        for (int i = 0; i < count; i++) {
            nodes.add(new BrokerProcess().withFeature("meridian-cluster")
                    .withEtcFile("io.meridianmq.cluster.cfg", config(memberPorts.get(i))));
        }
    }

    private String config(int port) {
        StringBuilder members = new StringBuilder();
        for (int p : memberPorts) {
            members.append(members.length() == 0 ? "" : ", ").append("127.0.0.1:").append(p);
        }
        return "cluster_name = " + name + "\nbind_address = 127.0.0.1\nport = " + port + "\nmembers = " + members
                + "\nfailure_detection_seconds = 5\n";
    }

    /** Writes {@code content} to {@code etc/fileName} of every node before it starts. */
    ClusterNodes withEtcFile(String fileName, String content) {
        nodes.forEach(n -> n.withEtcFile(fileName, content));
        return this;
    }

    BrokerProcess node(int i) {
        return nodes.get(i);
    }

    @Override
    protected void before() throws Throwable {
        for (BrokerProcess node : nodes) {
            node.start();
        }
        awaitMembers(nodes.size(), nodes);
    }

    /** Waits until each of {@code which} has logged that the cluster has {@code count} nodes. */
    static void awaitMembers(int count, List<BrokerProcess> which) throws InterruptedException {
        for (BrokerProcess node : which) {
            node.awaitLog("Cluster joined as node", Duration.ofSeconds(60));
            node.awaitLogLine(line -> line.contains(" node(s)") && line.contains("; " + count + " node(s)")
                    || line.contains(": " + count + " node(s)"), "says the cluster has " + count + " nodes");
        }
    }

    @Override
    protected void after() {
        for (BrokerProcess node : nodes) {
            node.stop();
        }
    }
}
