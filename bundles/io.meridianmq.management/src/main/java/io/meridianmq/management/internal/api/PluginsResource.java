package io.meridianmq.management.internal.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.meridianmq.broker.PluginState;
import io.meridianmq.management.internal.PluginBundles;
import io.meridianmq.management.internal.RunningBroker;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * {@code /plugins} (each plugin service by extension point, and the plugin bundles an operator
 * disabled) and {@code /plugins/{bundleId}/disable} / {@code enable} (POST; persistent, as
 * {@code meridian:plugin-disable} / {@code plugin-enable}).
 */
final class PluginsResource extends ApiResource {

    PluginsResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        if (r.path.size() == 1) {
            r.only(HttpMethod.GET);
            return r.ok(list());
        }
        if (r.path.size() == 3 && (r.path.get(2).equals("disable") || r.path.get(2).equals("enable"))) {
            r.only(HttpMethod.POST);
            Bundle plugin = plugin(r.path.get(1));
            try {
                if (r.path.get(2).equals("disable")) {
                    PluginBundles.disable(plugin);
                } else {
                    PluginBundles.enable(plugin);
                }
            } catch (BundleException | IllegalStateException e) {
                throw new ApiProblem(HttpResponseStatus.CONFLICT, "plugin bundle " + plugin.getBundleId() + " cannot be "
                        + r.path.get(2) + "d: " + e.getMessage());
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("bundleId", plugin.getBundleId());
            answer.put("bundle", plugin.getSymbolicName() + " " + plugin.getVersion());
            answer.put("state", r.path.get(2) + "d");
            return r.ok(answer);
        }
        throw r.notFound();
    }

    private Bundle plugin(String id) throws ApiProblem {
        long bundleId;
        try {
            bundleId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new ApiProblem(HttpResponseStatus.BAD_REQUEST, "a plugin is named by its bundle id (a number), not '"
                    + id + "'");
        }
        Bundle b = PluginBundles.find(running().context(), bundleId);
        if (b == null) {
            throw new ApiProblem(HttpResponseStatus.NOT_FOUND, "no plugin bundle with id " + bundleId);
        }
        return b;
    }

    private List<Map<String, Object>> list() throws ApiProblem {
        List<Map<String, Object>> items = new ArrayList<>();
        for (PluginState p : broker().plugins()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", p.kind());
            m.put("name", p.name());
            m.put("bundleId", p.bundleId());
            m.put("state", p.enabled() ? "active" : "failing");
            items.add(m);
        }
        for (Bundle b : PluginBundles.disabled(running().context())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", null);
            m.put("name", b.getSymbolicName() + " " + b.getVersion());
            m.put("bundleId", b.getBundleId());
            m.put("state", "disabled");
            items.add(m);
        }
        return items;
    }
}
