package io.meridianmq.sdk.interceptor;

import io.meridianmq.sdk.async.AsyncOutput;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One SUBSCRIBE entry, to read, change or refuse.
 *
 * <p>Threading: see {@link AsyncOutput}. Nullness: getters never return {@code null}; setters
 * reject {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface SubscribeOutput extends AsyncOutput {

    /** The topic filter, possibly {@code $share/NAME/filter}. */
    String topicFilter();

    /** Replaces the topic filter; it must be valid. */
    void setTopicFilter(String topicFilter);

    int qos();

    /** Changes the maximum QoS (0..2). */
    void setQos(int qos);

    /** Refuses this entry: SUBACK 0x80 (MQTT 3) or 0x87 not authorized (MQTT 5). */
    void refuse(String reason);
}
