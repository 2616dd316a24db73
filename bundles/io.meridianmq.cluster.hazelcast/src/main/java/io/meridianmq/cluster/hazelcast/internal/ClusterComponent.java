package io.meridianmq.cluster.hazelcast.internal;

import java.util.Map;

import io.meridianmq.cluster.ClusterFabric;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code meridian-cluster} feature's component: with {@code etc/io.meridianmq.cluster.cfg}
 * present it starts a Hazelcast member (on its own thread: joining takes seconds, and the rest of
 * the container need not wait) and, once the member is in a cluster, offers it to the broker as
 * its {@link ClusterFabric}. A changed file restarts the member.
 *
 * <p>Activated and deactivated by the component runtime, one at a time; the start thread and
 * deactivation exclude each other on this object.
 */
@Component(configurationPid = "io.meridianmq.cluster", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
public class ClusterComponent {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterComponent.class);

    private HazelcastCluster cluster; // guarded by this
    private ServiceRegistration<ClusterFabric> registration; // guarded by this
    private boolean stopped; // guarded by this
    private Thread starting;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        ClusterSettings settings;
        try {
            settings = ClusterSettings.from(config);
        } catch (IllegalArgumentException bad) {
            LOG.error("Cluster not started: etc/io.meridianmq.cluster.cfg: {}", bad.getMessage());
            return;
        }
        starting = new Thread(() -> start(context, settings), "meridian-cluster-start");
        starting.setDaemon(true);
        starting.start();
    }

    private void start(BundleContext context, ClusterSettings settings) {
        LOG.info("Cluster member starting: {}", settings.describe());
        long began = System.nanoTime();
        HazelcastCluster started;
        try {
            started = HazelcastCluster.start(settings);
        } catch (RuntimeException e) {
            LOG.error("Cluster member could not start ({}): {}", settings.describe(), e.toString());
            return;
        }
        synchronized (this) {
            if (stopped) {
                started.stop();
                return;
            }
            cluster = started;
            registration = context.registerService(ClusterFabric.class, started, null);
        }
        LOG.info("Cluster '{}' joined as node {} in {} ms: {} node(s)", settings.clusterName(), started.nodeId(),
                (System.nanoTime() - began) / 1_000_000, started.members());
    }

    @Deactivate
    void deactivate() {
        HazelcastCluster running;
        synchronized (this) {
            stopped = true;
            if (registration != null) {
                registration.unregister();
                registration = null;
            }
            running = cluster;
            cluster = null;
        }
        if (running != null) {
            running.stop();
            LOG.info("Cluster member stopped");
        }
    }
}
