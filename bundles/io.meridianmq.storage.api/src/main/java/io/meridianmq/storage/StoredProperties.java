package io.meridianmq.storage;

import java.util.List;
import java.util.Objects;

/**
 * The MQTT 5 properties a stored message (or will) carries to its receivers, as the store keeps
 * them: the storage SPI's own model, so that a store does not change with the plugin SDK.
 *
 * @param contentType the content type, or {@code null}
 * @param responseTopic the response topic, or {@code null}
 * @param correlationData the correlation data, or {@code null}; never modified once stored
 * @param userProperties name and value pairs in the order sent (a name may repeat)
 */
public record StoredProperties(boolean utf8Payload, String contentType, String responseTopic, byte[] correlationData,
        List<UserProperty> userProperties) {

    /** One MQTT 5 user property. */
    public record UserProperty(String name, String value) {

        public UserProperty {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /** No properties at all. */
    public static final StoredProperties NONE = new StoredProperties(false, null, null, null, List.of());

    public StoredProperties {
        userProperties = List.copyOf(Objects.requireNonNull(userProperties, "userProperties"));
    }

    /** Whether there is nothing to keep. */
    public boolean isEmpty() {
        return !utf8Payload && contentType == null && responseTopic == null && correlationData == null
                && userProperties.isEmpty();
    }
}
