package io.meridianmq.sdk.message;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The MQTT 5.0 properties of a PUBLISH that travel with the message from publisher to
 * subscribers: payload format indicator, content type, response topic, correlation data and user
 * properties. (Message expiry, topic alias and subscription identifiers are handled by the broker
 * per hop and are not part of this.) A message from an MQTT 3 client has {@link #NONE}.
 *
 * <p>Threading: immutable; the correlation data array must not be modified by anyone.
 * Nullness: absent values are {@code null} in the record components and empty in the
 * {@code Optional} accessors; {@link #userProperties()} is never {@code null}.
 *
 * @param utf8Payload whether the publisher declared the payload UTF-8 text (payload format 1)
 * @param contentType the content type, or {@code null}
 * @param responseTopic the response topic, or {@code null}
 * @param correlationData the correlation data, or {@code null}
 * @param userProperties the user properties in the order the publisher sent them
 * @since 0.1
 */
public record PublishProperties(boolean utf8Payload, @Nullable String contentType, @Nullable String responseTopic,
        byte @Nullable [] correlationData,
        List<UserProperty> userProperties) {

    /** No properties at all. */
    public static final PublishProperties NONE = new PublishProperties(false, null, null, null, List.of());

    public PublishProperties {
        userProperties = List.copyOf(Objects.requireNonNull(userProperties, "userProperties"));
    }

    public Optional<String> contentTypeIfAny() {
        return Optional.ofNullable(contentType);
    }

    public Optional<String> responseTopicIfAny() {
        return Optional.ofNullable(responseTopic);
    }

    /** Whether there is nothing to send. */
    public boolean isEmpty() {
        return !utf8Payload && contentType == null && responseTopic == null && correlationData == null
                && userProperties.isEmpty();
    }
}
