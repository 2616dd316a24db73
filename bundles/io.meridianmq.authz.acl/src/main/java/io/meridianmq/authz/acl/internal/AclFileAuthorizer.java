package io.meridianmq.authz.acl.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;
import io.meridianmq.sdk.interceptor.PublishOutboundInput;
import io.meridianmq.sdk.interceptor.PublishOutboundInterceptor;
import io.meridianmq.sdk.interceptor.PublishOutboundOutput;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authorizes PUBLISH and SUBSCRIBE against an ACL file ({@code acl_file} in
 * {@code etc/io.meridianmq.authz.acl.cfg}, Mosquitto's syntax). The file is read again when it
 * changes, so edits apply to connected clients' next operations; a bad line is logged with its
 * number and skipped. Decisions are cached per user, client and topic (the cache is dropped
 * with each reload), so a large ACL costs one map lookup on the hot path.
 *
 * <p>Read access is checked on every delivery too (as an outbound interceptor), as Mosquitto
 * does: a subscription allowed by the ACL does not carry messages on topics a {@code deny} line
 * (or a later edit) keeps from the client.
 */
@Component(configurationPid = "io.meridianmq.authz.acl", configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = {"service.ranking:Integer=1000"},
        service = {Authorizer.class, PublishOutboundInterceptor.class})
public class AclFileAuthorizer implements Authorizer, PublishOutboundInterceptor {

    private static final Logger LOG = LoggerFactory.getLogger(AclFileAuthorizer.class);
    private static final int CACHE_LIMIT = 100_000;

    private volatile Path file;
    private volatile AclRules rules = AclRules.parse(java.util.List.of());
    private volatile long loadedStamp = Long.MIN_VALUE;
    private volatile ConcurrentHashMap<String, Boolean> cache = new ConcurrentHashMap<>();
    /** Clients already told about a pattern line that cannot apply to them (logged once each). */
    private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
    /**
     * Looks for edits of the file once a second, off the hot path: decisions only read memory,
     * which is what lets the broker call this plugin inline, on the network thread.
     */
    private final ScheduledExecutorService watcher =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "meridian-acl-file-watch");
                t.setDaemon(true);
                return t;
            });
    private ScheduledFuture<?> watching;

    @Activate
    @Modified
    void configure(Map<String, Object> config) {
        Object f = config.get("acl_file");
        if (f == null || f.toString().isBlank()) {
            throw new IllegalArgumentException(config.getOrDefault("felix.fileinstall.filename", "io.meridianmq.authz.acl")
                    + ": acl_file is not set");
        }
        Path p = Paths.get(f.toString().trim());
        file = p.isAbsolute() ? p : Paths.get(System.getProperty("karaf.base", ".")).resolve(p);
        loadedStamp = Long.MIN_VALUE;
        reloadIfChanged();
        if (watching == null) {
            watching = watcher.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void stop() {
        watcher.shutdownNow();
    }

    private synchronized void reloadIfChanged() {
        long stamp;
        try {
            stamp = Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() * 31 + Files.size(file) : -1;
        } catch (IOException e) {
            stamp = -2;
        }
        if (stamp == loadedStamp) {
            return;
        }
        try {
            AclRules parsed = AclRules.parse(Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : java.util.List.of());
            for (AclRules.Problem p : parsed.problems()) {
                LOG.error("{}:{}: {}; this line is ignored", file, p.line(), p.what());
            }
            rules = parsed;
            cache = new ConcurrentHashMap<>();
            loadedStamp = stamp;
            LOG.info("{}: {} ACL rule(s) loaded", file, parsed.ruleCount());
        } catch (IOException e) {
            LOG.error("{}: cannot read the ACL file ({}); keeping the rules loaded before", file, e.toString());
        }
    }

    private boolean decide(String user, String clientId, String topic, boolean write) {
        String key = (write ? "w\u0000" : "r\u0000") + user + "\u0000" + clientId + "\u0000" + topic;
        ConcurrentHashMap<String, Boolean> c = cache;
        Boolean known = c.get(key);
        if (known != null) {
            return known;
        }
        AclRules r = rules;
        boolean allowed = r.allowed(user, clientId, topic, write);
        AclRules.Rule unusable = r.unusablePattern(user, clientId);
        if (unusable != null && warned.size() < CACHE_LIMIT && warned.add(clientId + "\u0000" + user)) {
            LOG.warn("Client '{}' (user {}): ACL rule 'pattern {} {}' matches nothing for it: its client id or user "
                    + "name is empty or holds '+', '#' or '/', which must not widen a rule", clientId,
                    user == null ? "(anonymous)" : "'" + user + "'", unusable.access().name()
                            .toLowerCase(java.util.Locale.ROOT), unusable.topic());
        }
        if (c.size() < CACHE_LIMIT) {
            c.put(key, allowed);
        }
        return allowed;
    }

    @Override
    public void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output) {
        if (decide(input.client().username().orElse(null), input.client().clientId(), input.topic(), true)) {
            output.allow();
        } else {
            output.deny("the ACL does not let '" + input.client().username().orElse("(anonymous)") + "' write to '"
                    + input.topic() + "'");
        }
    }

    @Override
    public void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output) {
        String topic = output.publish().topic();
        if (!decide(input.subscriber().username().orElse(null), input.subscriber().clientId(), topic, false)) {
            output.drop("the ACL does not let '" + input.subscriber().username().orElse("(anonymous)") + "' read '"
                    + topic + "'");
        }
    }

    @Override
    public void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output) {
        if (decide(input.client().username().orElse(null), input.client().clientId(), input.topicFilter(), false)) {
            output.allow();
        } else {
            output.deny("the ACL does not let '" + input.client().username().orElse("(anonymous)") + "' read '"
                    + input.topicFilter() + "'");
        }
    }
}
