package io.meridianmq.broker.internal;

import java.util.ArrayList;
import java.util.List;

import io.meridianmq.sdk.message.PublishProperties;
import io.meridianmq.sdk.message.UserProperty;
import io.meridianmq.storage.StoredProperties;

/**
 * Turns a message's properties into the store's model and back, so that the storage SPI keeps
 * its own types. A message without properties (the usual case) costs nothing either way.
 *
 * <p>Threading: stateless.
 */
final class PropertiesInStore {

    private PropertiesInStore() {
    }

    static StoredProperties toStore(PublishProperties p) {
        if (p.isEmpty()) {
            return StoredProperties.NONE;
        }
        List<StoredProperties.UserProperty> user = new ArrayList<>(p.userProperties().size());
        for (UserProperty u : p.userProperties()) {
            user.add(new StoredProperties.UserProperty(u.name(), u.value()));
        }
        return new StoredProperties(p.utf8Payload(), p.contentType(), p.responseTopic(), p.correlationData(), user);
    }

    static PublishProperties fromStore(StoredProperties p) {
        if (p.isEmpty()) {
            return PublishProperties.NONE;
        }
        List<UserProperty> user = new ArrayList<>(p.userProperties().size());
        for (StoredProperties.UserProperty u : p.userProperties()) {
            user.add(new UserProperty(u.name(), u.value()));
        }
        return new PublishProperties(p.utf8Payload(), p.contentType(), p.responseTopic(), p.correlationData(), user);
    }
}
