package io.meridianmq.management.internal;

import java.util.List;

import io.meridianmq.broker.Broker;
import io.meridianmq.protocol.MqttPipeline;
import io.meridianmq.sdk.service.BrokerServices;
import io.meridianmq.transport.IoThreads;
import io.meridianmq.transport.ListenerStatus;

/**
 * What the management bundle's parts (the HTTP listener, the {@code $SYS} publisher) ask of
 * the running broker. Each may be null while that part of the broker is not running (the
 * management bundle runs without it), so callers read it once per use and check.
 *
 * <p>Threading: any thread.
 */
public interface RunningBroker {

    Broker broker();

    MqttPipeline protocol();

    BrokerServices services();

    IoThreads ioThreads();

    /** The listeners configured now (never null). */
    List<ListenerStatus> listeners();

    /** The management bundle's context (plugin bundles are found and switched through it). */
    org.osgi.framework.BundleContext context();

    /** Configuration Admin, for the effective configuration; null while it is not there. */
    org.osgi.service.cm.ConfigurationAdmin configurations();
}
