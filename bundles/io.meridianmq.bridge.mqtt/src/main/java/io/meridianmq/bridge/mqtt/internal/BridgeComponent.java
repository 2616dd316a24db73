package io.meridianmq.bridge.mqtt.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.sdk.service.PluginHealth;
import io.meridianmq.sdk.service.PluginMetrics;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bridge per file {@code etc/io.meridianmq.bridge-NAME.cfg} (a factory configuration): a
 * file added starts a bridge, a changed file restarts it, a removed file stops it; bad settings
 * are refused with a log line naming the file and the key. Each bridge shows in the metrics as
 * {@code bridge.NAME.connected}, {@code .waiting}, {@code .sent}, {@code .received} and
 * {@code .refused}, and in {@code /health/ready} as the check {@code bridge NAME} (informational:
 * a bridge down does not make the broker unready).
 *
 * <p>Activated and deactivated by the component runtime, one at a time.
 */
@Component(configurationPid = "io.meridianmq.bridge", configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
public class BridgeComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeComponent.class);
    /** The running bridge of each name, for the metrics registered once per name and bundle. */
    private static final Map<String, MqttBridge> RUNNING = new ConcurrentHashMap<>();
    private static final java.util.Set<String> MEASURED = ConcurrentHashMap.newKeySet();

    @Reference
    BrokerServices broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile PluginMetrics metrics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
    volatile PluginHealth health;

    private MqttBridge bridge;

    @Activate
    void activate(Map<String, Object> config) {
        String file = String.valueOf(config.getOrDefault("felix.fileinstall.filename", "io.meridianmq.bridge-?.cfg"));
        String name = nameOf(config, file);
        BridgeSettings settings;
        try {
            settings = BridgeSettings.from(name, config);
        } catch (IllegalArgumentException bad) {
            LOG.error("Bridge '{}' not started: {}: {}", name, file, bad.getMessage());
            return;
        }
        try {
            bridge = new MqttBridge(settings, broker, (up, problem) -> {
                PluginHealth h = health;
                if (h != null) {
                    h.report("bridge " + name, up, problem);
                }
            });
        } catch (IllegalArgumentException bad) {
            LOG.error("Bridge '{}' not started: {}: {}", name, file, bad.getMessage());
            return;
        }
        RUNNING.put(name, bridge);
        measure(name);
        bridge.start();
    }

    @Deactivate
    void deactivate() {
        if (bridge != null) {
            RUNNING.remove(bridge.name(), bridge);
            bridge.stop();
            PluginHealth h = health;
            if (h != null) {
                h.withdraw("bridge " + bridge.name());
            }
            bridge = null;
        }
    }

    private void measure(String name) {
        PluginMetrics m = metrics;
        if (m == null || !MEASURED.add(name)) {
            return;
        }
        String p = "bridge." + name + ".";
        m.gauge(p + "connected", "1 while bridge " + name + " is connected to its remote broker",
                () -> figure(name, b -> b.connected() ? 1 : 0));
        m.gauge(p + "waiting", "Messages bridge " + name + " has to send out (not yet acknowledged by the remote)",
                () -> figure(name, MqttBridge::waiting));
        m.gauge(p + "sent", "Messages bridge " + name + " sent out and the remote acknowledged",
                () -> figure(name, MqttBridge::sent));
        m.gauge(p + "received", "Messages bridge " + name + " brought in from the remote broker",
                () -> figure(name, MqttBridge::received));
        m.gauge(p + "refused", "Messages the remote broker refused to bridge " + name,
                () -> figure(name, MqttBridge::refusedByRemote));
    }

    private static long figure(String name, java.util.function.ToLongFunction<MqttBridge> f) {
        MqttBridge b = RUNNING.get(name);
        return b == null ? 0 : f.applyAsLong(b);
    }

    /** {@code name} from the file, else from {@code io.meridianmq.bridge-NAME.cfg}. */
    static String nameOf(Map<String, Object> config, String file) {
        Object explicit = config.get("name");
        if (explicit != null && !explicit.toString().isBlank()) {
            return explicit.toString().trim();
        }
        String base = file.substring(file.lastIndexOf('/') + 1);
        int dash = base.indexOf('-');
        int dot = base.lastIndexOf('.');
        return dash >= 0 && dot > dash ? base.substring(dash + 1, dot) : "bridge";
    }
}
