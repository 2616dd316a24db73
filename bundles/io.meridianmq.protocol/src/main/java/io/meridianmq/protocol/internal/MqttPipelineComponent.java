package io.meridianmq.protocol.internal;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.meridianmq.broker.Broker;
import io.meridianmq.protocol.MqttPipeline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the MQTT handlers on each accepted channel: a fixed-header guard, Netty's MQTT codec,
 * and one {@link MqttConnection}. Settings come from {@code etc/io.meridianmq.protocol.cfg}.
 */
@Component(service = MqttPipeline.class, configurationPid = "io.meridianmq.protocol")
public class MqttPipelineComponent implements MqttPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPipelineComponent.class);
    /** The largest packet MQTT can express: 1 + 4 length bytes + 268,435,455. */
    static final int MQTT_MAX_PACKET_SIZE = 268_435_460;
    static final int DEFAULT_MAX_PACKET_SIZE = 16 * 1024 * 1024;
    static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

    @Reference
    private Broker broker;

    private volatile int maxPacketSize = DEFAULT_MAX_PACKET_SIZE;
    private volatile int connectTimeoutSeconds = DEFAULT_CONNECT_TIMEOUT_SECONDS;

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "configuration io.meridianmq.protocol";
        maxPacketSize = intSetting(config, source, "max_packet_size", 16, MQTT_MAX_PACKET_SIZE, maxPacketSize);
        connectTimeoutSeconds = intSetting(config, source, "connect_timeout", 1, 3600, connectTimeoutSeconds);
    }

    private static int intSetting(Map<String, Object> config, String source, String key, int min, int max, int previous) {
        Object raw = config.get(key);
        if (raw == null) {
            return previous;
        }
        try {
            int value = Integer.parseInt(raw.toString().trim());
            if (value >= min && value <= max) {
                return value;
            }
            LOG.error("{}: {} = {} is out of range [{}..{}]; keeping {}", source, key, raw, min, max, previous);
        } catch (NumberFormatException e) {
            LOG.error("{}: {} = '{}' is not a whole number; keeping {}", source, key, raw, previous);
        }
        return previous;
    }

    @Override
    public void initialize(Channel channel, String listenerName) {
        int max = maxPacketSize;
        ChannelPipeline p = channel.pipeline();
        // until CONNECT arrives, the idle handler closes connections that never speak
        p.addLast(MqttConnection.IDLE_HANDLER, new IdleStateHandler(connectTimeoutSeconds, 0, 0, TimeUnit.SECONDS));
        p.addLast("mqtt-guard", new FixedHeaderGuard(max));
        p.addLast("mqtt-decoder", new MqttDecoder(max));
        p.addLast("mqtt-encoder", MqttEncoder.INSTANCE);
        p.addLast("mqtt-connection", new MqttConnection(broker, listenerName));
    }
}
