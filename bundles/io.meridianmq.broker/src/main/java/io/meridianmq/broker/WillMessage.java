package io.meridianmq.broker;

import java.util.Objects;

/** The will message of a connection, published if it ends without DISCONNECT. */
public record WillMessage(String topic, byte[] payload, int qos, boolean retain) {

    public WillMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
    }
}
