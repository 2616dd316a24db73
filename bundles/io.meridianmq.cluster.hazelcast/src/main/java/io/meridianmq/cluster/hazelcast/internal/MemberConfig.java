package io.meridianmq.cluster.hazelcast.internal;

import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.spi.merge.LatestUpdateMergePolicy;

/**
 * The Hazelcast member's configuration from the operator's settings: TCP/IP (or Kubernetes)
 * discovery only (never multicast), no phone-home, Hazelcast logging through SLF4J, failure
 * detection in seconds, and split-brain protection on the session owners.
 *
 * <p>Threading: stateless.
 */
final class MemberConfig {

    static final String MAJORITY = "meridian-majority";

    private MemberConfig() {
    }

    static Config from(ClusterSettings s) {
        Config config = new Config();
        config.setClusterName(s.clusterName());
        config.setInstanceName("meridian-" + s.clusterName() + "-" + s.port());
        // Hazelcast reads our entry processors and tasks with this loader (a bundle's, in OSGi)
        config.setClassLoader(MemberConfig.class.getClassLoader());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(s.failureDetection().toSeconds()));
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "10");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "10");
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.getJetConfig().setEnabled(false);

        NetworkConfig network = config.getNetworkConfig();
        network.setPort(s.port()).setPortAutoIncrement(false);
        if (!s.bindAddress().equals("0.0.0.0")) {
            network.getInterfaces().setEnabled(true).addInterface(s.bindAddress());
            config.setProperty("hazelcast.socket.bind.any", "false");
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (s.kubernetesServiceDns() != null) {
            join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", s.kubernetesServiceDns());
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(s.members()).setConnectionTimeoutSeconds(2);
        }

        config.addSplitBrainProtectionConfig(new SplitBrainProtectionConfig(MAJORITY, true, s.minClusterSize()));
        MapConfig owners = new MapConfig(SessionOwners.MAP).setBackupCount(s.backupCount())
                .setSplitBrainProtectionName(MAJORITY).setPerEntryStatsEnabled(true)
                .setMergePolicyConfig(new MergePolicyConfig(LatestUpdateMergePolicy.class.getName(), 100));
        config.addMapConfig(owners);
        // a persistent session's state: a write completes once backup_count other members have it
        config.addMapConfig(new MapConfig(SessionReplicas.MAP).setBackupCount(s.backupCount())
                .setSplitBrainProtectionName(MAJORITY));
        // the wills of connected clients, published by another node should theirs die
        config.addMapConfig(new MapConfig(LiveWills.MAP).setBackupCount(s.backupCount())
                .setSplitBrainProtectionName(MAJORITY));
        config.addExecutorConfig(new ExecutorConfig(SessionOwners.EXECUTOR).setPoolSize(4));
        return config;
    }
}
