package io.meridianmq.cluster.hazelcast.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The operator's cluster settings ({@code etc/io.meridianmq.cluster.cfg}), read once per start of
 * the member; a value that cannot be used is refused with a message naming the key.
 *
 * @param clusterName only members with the same name form a cluster
 * @param bindAddress the address this member listens on and tells the others
 * @param port the member port (5701 by default); not incremented when taken
 * @param members the other members to contact (host or host:port), for TCP/IP discovery
 * @param kubernetesServiceDns with Kubernetes discovery, the headless service's DNS name, else null
 * @param backupCount how many other members hold a copy of each cluster-wide entry
 * @param minClusterSize members needed to accept clients and claim sessions (split-brain protection)
 * @param handOverTimeout how long a node waits for another to hand over a session
 * @param failureDetection how long a silent member stays in the cluster
 */
record ClusterSettings(String clusterName, String bindAddress, int port, List<String> members,
        String kubernetesServiceDns, int backupCount, int minClusterSize, Duration handOverTimeout,
        Duration failureDetection) {

    static ClusterSettings from(Map<String, ?> config) {
        String name = text(config, "cluster_name", "meridian");
        String bind = text(config, "bind_address", "127.0.0.1");
        int port = number(config, "port", 5701, 1, 65535);
        List<String> members = new ArrayList<>();
        for (String m : text(config, "members", bind).split(",")) {
            if (!m.isBlank()) {
                members.add(m.trim());
            }
        }
        String discovery = text(config, "discovery", "tcp-ip");
        String dns = null;
        if (discovery.equals("kubernetes")) {
            dns = text(config, "kubernetes_service_dns", "");
            if (dns.isEmpty()) {
                throw new IllegalArgumentException("discovery = kubernetes needs kubernetes_service_dns (the headless "
                        + "service's DNS name, e.g. meridian.mqtt.svc.cluster.local)");
            }
        } else if (!discovery.equals("tcp-ip")) {
            throw new IllegalArgumentException("discovery = '" + discovery + "': use tcp-ip or kubernetes");
        }
        int backups = number(config, "backup_count", 1, 0, 6);
        // by default a majority of the members listed: a minority side of a split stops accepting clients
        int majority = dns == null ? members.size() / 2 + 1 : 1;
        int minSize = number(config, "min_cluster_size", majority, 1, 1000);
        Duration handOver = Duration.ofMillis(number(config, "handover_timeout_ms", 10_000, 100, 600_000));
        Duration failure = Duration.ofSeconds(number(config, "failure_detection_seconds", 10, 2, 600));
        return new ClusterSettings(name, bind, port, List.copyOf(members), dns, backups, minSize, handOver, failure);
    }

    String describe() {
        return "cluster '" + clusterName + "', member " + bindAddress + ":" + port + ", "
                + (kubernetesServiceDns == null ? "members " + String.join(",", members)
                        : "Kubernetes service " + kubernetesServiceDns)
                + ", backup_count " + backupCount + ", min_cluster_size " + minClusterSize;
    }

    private static String text(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    private static int number(Map<String, ?> config, String key, int fallback, int min, int max) {
        String v = text(config, key, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " = " + v + ": use " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }
}
