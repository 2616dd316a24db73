package io.meridianmq.sdk.interceptor;

import java.util.List;
import java.util.Optional;

import io.meridianmq.sdk.message.UserProperty;

import org.osgi.annotation.versioning.ProviderType;
import org.jspecify.annotations.Nullable;

/**
 * A PUBLISH an interceptor may change before the broker routes it.
 *
 * <p>Threading: use it only within the callback, or before {@code Async.resume()} when the
 * callback went asynchronous. Nullness: setters reject {@code null} except where noted; getters
 * never return {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface ModifiablePublish {

    String topic();

    /** Changes the topic; it must be a valid topic name (no wildcards). */
    void setTopic(String topic);

    /** A copy of the payload. */
    byte[] payload();

    void setPayload(byte[] payload);

    int qos();

    /** Lowers or raises the QoS (0..2; capped by the broker's max_qos). */
    void setQos(int qos);

    boolean retain();

    void setRetain(boolean retain);

    /** The message expiry interval in seconds, if any. */
    Optional<Long> messageExpiry();

    /** Sets the message expiry interval; {@code null} removes it. */
    void setMessageExpiry(@Nullable Long seconds);

    Optional<String> contentType();

    /** Sets the content type; {@code null} removes it. */
    void setContentType(@Nullable String contentType);

    /** The user properties, in order; the list may be changed in place. */
    List<UserProperty> userProperties();
}
