package io.meridianmq.storage.memory.internal;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import io.meridianmq.storage.RetainedMessageStore;
import io.meridianmq.storage.SessionStore;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the in-memory stores to the broker when {@code persistence = false} in
 * {@code etc/io.meridianmq.storage.cfg}; with {@code persistence = true} (the default) the durable
 * store serves instead and this one registers nothing, so the broker never starts on the wrong one.
 */
@Component(configurationPid = "io.meridianmq.storage", immediate = true)
public class InMemoryStorage {

    private static final Logger LOG = LoggerFactory.getLogger(InMemoryStorage.class);

    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        Object persistence = config.get("persistence");
        if (persistence == null || Boolean.parseBoolean(persistence.toString().trim())) {
            LOG.debug("persistence = true: the durable store serves, not the in-memory one");
            return;
        }
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.ranking", 0);
        properties.put("meridian.store", "memory");
        registrations.add(context.registerService(RetainedMessageStore.class, new InMemoryRetainedMessageStore(),
                properties));
        registrations.add(context.registerService(SessionStore.class, new TransientSessionStore(), properties));
        LOG.info("persistence = false: sessions, queued and retained messages are kept in memory only and are lost "
                + "when the broker stops");
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
    }
}
