package io.meridianmq.storage.mvstore.internal;

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
 * Offers the durable store (an H2 MVStore file) to the broker when {@code persistence = true} (the default) in
 * {@code etc/io.meridianmq.storage.cfg}. The services are registered by hand, and only when the
 * file opened cleanly, so that the broker never starts on a store that failed; a changed
 * configuration re-opens the store (the broker core restarts with it).
 */
@Component(configurationPid = "io.meridianmq.storage", immediate = true)
public class DurableStorage {

    private static final Logger LOG = LoggerFactory.getLogger(DurableStorage.class);

    private DurableStore store;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    void activate(BundleContext context, Map<String, Object> config) {
        StoreSettings settings;
        try {
            settings = StoreSettings.from(config);
        } catch (IllegalArgumentException e) {
            LOG.error("etc/io.meridianmq.storage.cfg: {}; the durable store is not started", e.getMessage());
            return;
        }
        if (!settings.persistence()) {
            LOG.info("persistence = false: the durable store stays closed, sessions and retained messages live in "
                    + "memory only");
            return;
        }
        long started = System.nanoTime();
        try {
            store = DurableStore.open(settings);
        } catch (StoreFile.CorruptStoreException e) {
            LOG.error(e.getMessage(), e.getCause());
            return;
        } catch (java.io.IOException | RuntimeException e) {
            LOG.error("Cannot open the store {}: {}; the broker waits for its storage", settings.file().toAbsolutePath(),
                    e.toString(), e);
            return;
        }
        LOG.info("Durable store opened in {} ms: {}", (System.nanoTime() - started) / 1_000_000, settings.describe());
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("service.ranking", 100);
        properties.put("meridian.store", "mvstore");
        registrations.add(context.registerService(SessionStore.class, store, properties));
        registrations.add(context.registerService(RetainedMessageStore.class, store, properties));
    }

    @Deactivate
    void deactivate() {
        registrations.forEach(ServiceRegistration::unregister);
        registrations.clear();
        if (store != null) {
            store.close();
            LOG.info("Durable store closed: {}", store.settings().file());
            store = null;
        }
    }
}
