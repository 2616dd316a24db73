package io.meridianmq.sdk.message;

import java.util.Objects;

/**
 * One MQTT 5.0 user property: a name/value pair of UTF-8 strings. Order and duplicates matter
 * and are kept.
 *
 * <p>Threading: immutable. Nullness: neither component is {@code null}.
 *
 * @since 0.1
 */
public record UserProperty(String name, String value) {

    public UserProperty {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
    }
}
