package io.meridianmq.storage;

import java.util.Objects;

/**
 * One subscription of a persistent session, as stored.
 *
 * @param shareName the share name of a {@code $share/NAME/filter} subscription, or {@code null}
 * @param subscriptionId the MQTT 5 subscription identifier, or 0
 */
public record StoredSubscription(String filter, String shareName, int qos, boolean noLocal, boolean retainAsPublished,
        int subscriptionId) {

    public StoredSubscription {
        Objects.requireNonNull(filter, "filter");
    }

    /** The key that identifies the subscription within its session. */
    public String key() {
        return shareName == null ? filter : "$share/" + shareName + "/" + filter;
    }
}
