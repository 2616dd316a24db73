package io.meridianmq.management.internal.http;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.meridianmq.broker.Broker;
import io.meridianmq.transport.ListenerStatus;

/**
 * Whether the broker takes clients, as {@code /health/ready} answers it: the broker core is
 * running (so its store is open) and has finished starting, and every configured listener
 * listens. Each check that fails says why, so an operator reading the body knows what to fix.
 *
 * <p>Threading: the management server's thread.
 */
final class Readiness {

    /**
     * One check: what was checked, whether it passed, and why not; a check that is not
     * {@code critical} (a plugin's) is shown without deciding the status.
     */
    record Check(String name, boolean up, String problem, boolean critical) {
        Check(String name, boolean up, String problem) {
            this(name, up, problem, true);
        }
    }

    private final Supplier<Broker> broker;
    private final Supplier<List<ListenerStatus>> listeners;

    Readiness(Supplier<Broker> broker, Supplier<List<ListenerStatus>> listeners) {
        this.broker = broker;
        this.listeners = listeners;
    }

    List<Check> checks() {
        List<Check> checks = new ArrayList<>();
        Broker b = broker.get();
        if (b == null) {
            checks.add(new Check("broker", false, "the broker core is not running (see data/log/karaf.log: its "
                    + "store may not have opened)"));
        } else if (!b.ready().toCompletableFuture().isDone()) {
            checks.add(new Check("broker", false, "still starting (bundles of the boot are not all started)"));
        } else {
            checks.add(new Check("broker", true, null));
            if (!b.clusterFigures().isEmpty()) {
                String problem = b.clusterProblem();
                checks.add(new Check("cluster", problem == null, problem));
            }
            for (io.meridianmq.broker.PluginCheck p : b.pluginChecks()) {
                checks.add(new Check(p.name(), p.up(), p.problem(), false));
            }
        }
        List<ListenerStatus> all = listeners.get();
        if (all.isEmpty()) {
            checks.add(new Check("listeners", false, "no MQTT listener is configured (etc/io.meridianmq.listener-*.cfg)"));
        }
        for (ListenerStatus l : all) {
            checks.add(new Check("listener " + l.name(), l.listening(), l.problem()));
        }
        return checks;
    }

    static boolean allUp(List<Check> checks) {
        return checks.stream().allMatch(c -> c.up() || !c.critical());
    }

    /** The JSON body: {@code {"status":"UP"|"DOWN","checks":[{"name":..,"status":..,"problem":..}]}}. */
    static String json(List<Check> checks) {
        StringBuilder b = new StringBuilder("{\"status\":").append(allUp(checks) ? "\"UP\"" : "\"DOWN\"")
                .append(",\"checks\":[");
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":").append(JsonText.quote(c.name())).append(",\"status\":")
                    .append(c.up() ? "\"UP\"" : "\"DOWN\"");
            if (c.problem() != null) {
                b.append(",\"problem\":").append(JsonText.quote(c.problem()));
            }
            if (!c.critical()) {
                b.append(",\"critical\":false");
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }
}
