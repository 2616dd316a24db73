package io.meridianmq.management.internal.api;

import java.io.IOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.meridianmq.management.internal.RunningBroker;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * {@code /config}: the effective configuration of Meridian's components, as Configuration Admin
 * holds it (the {@code etc/io.meridianmq.*.cfg} files and what changed them), by PID; secrets
 * (passwords, client secrets, tokens) are shown as {@code ***}.
 */
final class ConfigResource extends ApiResource {

    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|credential).*");

    ConfigResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        r.onlyTheResource(HttpMethod.GET);
        ConfigurationAdmin admin = running().configurations();
        if (admin == null) {
            throw new ApiProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "Configuration Admin is not running");
        }
        Configuration[] all;
        try {
            all = admin.listConfigurations("(service.pid=io.meridianmq.*)");
        } catch (IOException | InvalidSyntaxException e) {
            throw new ApiProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot read the configuration: " + e.getMessage());
        }
        Map<String, Map<String, Object>> byPid = new TreeMap<>();
        for (Configuration c : all == null ? new Configuration[0] : all) {
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                continue;
            }
            Map<String, Object> shown = new TreeMap<>();
            for (String key : Collections.list(props.keys())) {
                if (key.startsWith("service.") || key.startsWith("felix.fileinstall.") || key.startsWith("component.")) {
                    continue;
                }
                shown.put(key, SECRET.matcher(key).matches() ? "***" : String.valueOf(props.get(key)));
            }
            Object file = props.get("felix.fileinstall.filename");
            if (file != null) {
                shown.put("(file)", String.valueOf(file));
            }
            byPid.put(c.getPid(), shown);
        }
        return r.ok(byPid);
    }
}
