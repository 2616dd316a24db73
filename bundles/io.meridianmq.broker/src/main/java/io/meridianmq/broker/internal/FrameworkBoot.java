package io.meridianmq.broker.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells when the container has started every bundle it starts at boot, so that no listener
 * opens while a security plugin is still only installed: a client let in then would be refused
 * (the broker fails closed for a stopped authenticator) or, worse, judged without it. Done means
 * both: no bundle marked to start still waits for the framework's start level to reach its own
 * (which covers a restart with the bundles from the cache) and, inside Karaf, the boot features are
 * installed (Karaf registers its {@code BootFinished} service, looked up by name so that this
 * bundle does not import Karaf).
 *
 * <p>If that does not happen within {@link #PATIENCE_SECONDS} (a boot feature failed, and Karaf
 * never says it finished), the broker takes clients anyway, with a warning: a security plugin
 * that is not running still makes its decisions fail closed.
 *
 * <p>Threading: events arrive on the framework's threads; {@link #done()} may be read anywhere.
 */
final class FrameworkBoot implements FrameworkListener, ServiceListener {

    private static final Logger LOG = LoggerFactory.getLogger(FrameworkBoot.class);
    static final String KARAF_BOOT_FINISHED = "org.apache.karaf.features.BootFinished";
    static final long PATIENCE_SECONDS = 120;

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Set once in {@link #watch}; read by the framework's threads. */
    private volatile BundleContext context;
    private volatile ScheduledFuture<?> patience;

    /** Already done: outside a framework (unit tests) nothing is booting. */
    static FrameworkBoot finished() {
        FrameworkBoot boot = new FrameworkBoot();
        boot.done.complete(null);
        return boot;
    }

    void watch(BundleContext bundleContext, ScheduledExecutorService timers) {
        context = bundleContext;
        bundleContext.addFrameworkListener(this);
        if (inKaraf()) {
            try {
                bundleContext.addServiceListener(this, "(objectClass=" + KARAF_BOOT_FINISHED + ")");
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e); // a constant filter
            }
        }
        patience = timers.schedule(this::gaveUp, PATIENCE_SECONDS, TimeUnit.SECONDS);
        check();
    }

    void stop() {
        BundleContext c = context;
        if (c != null) {
            c.removeFrameworkListener(this);
            c.removeServiceListener(this);
        }
        ScheduledFuture<?> p = patience;
        if (p != null) {
            p.cancel(false);
        }
    }

    /** Completes (on a framework thread, or at once) when the boot is done. */
    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED || event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
            check();
        }
    }

    @Override
    public void serviceChanged(ServiceEvent event) {
        check();
    }

    private void check() {
        BundleContext c = context;
        if (done.isDone() || c == null) {
            return;
        }
        boolean frameworkStarted;
        boolean karafBooted;
        try {
            frameworkStarted = c.getBundle(0).getState() == Bundle.ACTIVE && noBundleAwaitsItsStartLevel(c);
            karafBooted = !inKaraf() || c.getServiceReference(KARAF_BOOT_FINISHED) != null;
        } catch (IllegalStateException stopping) {
            return; // this bundle is stopping: nobody waits any more
        }
        if (frameworkStarted && karafBooted) {
            stop();
            done.complete(null);
        }
    }

    private void gaveUp() {
        if (!done.isDone()) {
            LOG.warn("The container's boot has not finished after {} s (see data/log/karaf.log for a feature that "
                    + "failed); taking clients anyway. A security plugin that is not running denies (fails closed).",
                    PATIENCE_SECONDS);
            stop();
            done.complete(null);
        }
    }

    /**
     * Whether every bundle marked to start has had its turn: none waits for the framework's start
     * level to rise to its own. Karaf starts the framework low and raises it once it holds its
     * instance lock, and marks boot feature bundles to start before their level is reached, so
     * neither an active system bundle nor Karaf's BootFinished alone says that.
     */
    private static boolean noBundleAwaitsItsStartLevel(BundleContext c) {
        int active = c.getBundle(0).adapt(FrameworkStartLevel.class).getStartLevel();
        for (Bundle b : c.getBundles()) {
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            if (level != null && b.getState() != Bundle.ACTIVE && level.isPersistentlyStarted()
                    && level.getStartLevel() > active) {
                return false;
            }
        }
        return true;
    }

    private boolean inKaraf() {
        return context.getProperty("karaf.home") != null;
    }
}
