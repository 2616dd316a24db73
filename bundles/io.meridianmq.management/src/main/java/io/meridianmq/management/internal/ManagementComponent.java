package io.meridianmq.management.internal;

import java.util.List;
import java.util.Map;

import io.meridianmq.broker.Broker;
import io.meridianmq.management.internal.http.ManagementServer;
import io.meridianmq.management.internal.sys.SysTopics;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.transport.IoThreads;
import io.meridianmq.transport.ListenerStatus;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The management bundle's component: takes {@code etc/io.meridianmq.management.cfg}, follows the
 * broker's services as they come and go (all optional: management runs without the broker), and
 * starts, restarts on an edit, and stops the HTTP listener and the {@code $SYS} publisher.
 *
 * <p>Threading: activation, modification and deactivation on the component runtime's thread;
 * the references are volatile and read from the parts' own threads.
 */
@Component(configurationPid = "io.meridianmq.management", immediate = true, service = {})
public class ManagementComponent implements RunningBroker {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Broker broker;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile MqttPipeline protocol;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile BrokerServices services;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile IoThreads ioThreads;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ListenerStatus> listeners;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ConfigurationAdmin configurations;

    /** Set at activation. */
    private volatile BundleContext context;
    /** Component runtime's thread only. */
    private ManagementServer server;
    private SysTopics sys;

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        this.context = context;
        String version = context.getBundle().getVersion().toString();
        server = new ManagementServer(this, version);
        sys = new SysTopics(this, version);
        server.start(config);
        sys.start(config);
    }

    @Modified
    void modified(Map<String, Object> config) {
        server.stop();
        server.start(config);
        sys.stop();
        sys.start(config);
    }

    @Deactivate
    void deactivate() {
        server.stop();
        sys.stop();
    }

    @Override
    public Broker broker() {
        return broker;
    }

    @Override
    public MqttPipeline protocol() {
        return protocol;
    }

    @Override
    public BrokerServices services() {
        return services;
    }

    @Override
    public IoThreads ioThreads() {
        return ioThreads;
    }

    @Override
    public BundleContext context() {
        return context;
    }

    @Override
    public ConfigurationAdmin configurations() {
        return configurations;
    }

    @Override
    public List<ListenerStatus> listeners() {
        List<ListenerStatus> now = listeners;
        return now == null ? List.of() : List.copyOf(now);
    }
}
