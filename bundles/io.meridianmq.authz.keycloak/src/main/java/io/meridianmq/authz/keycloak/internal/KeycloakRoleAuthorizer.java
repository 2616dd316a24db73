package io.meridianmq.authz.keycloak.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.meridianmq.sdk.auth.AuthorizationOutput;
import io.meridianmq.sdk.auth.Authorizer;
import io.meridianmq.sdk.auth.PublishAuthorizationInput;
import io.meridianmq.sdk.auth.SubscribeAuthorizationInput;
import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.topic.Topics;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic permissions from Keycloak: the roles, client roles and groups each user holds there
 * (read in the background every {@code sync_interval_seconds}, and on demand with
 * {@code meridian:keycloak-sync}), plus the roles in the client's token, are matched against the
 * configured rules. A decision reads the last good copy in memory: it never waits for Keycloak,
 * and a new copy applies to the very next PUBLISH or SUBSCRIBE of connected clients. When
 * Keycloak cannot be reached the last good copy stays and a warning says so.
 *
 * <p>Threading: decisions on any thread; syncs on this plugin's own thread.
 */
@Component(configurationPid = "io.meridianmq.authz.keycloak", configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {Authorizer.class, KeycloakRoleAuthorizer.class},
        property = "service.ranking:Integer=1500")
public class KeycloakRoleAuthorizer implements Authorizer {

    private static final Logger LOG = LoggerFactory.getLogger(KeycloakRoleAuthorizer.class);

    private KeycloakSettings settings;
    private ScheduledExecutorService syncThread;
    private KeycloakDirectory directory;
    private final AtomicReference<UserGrants> grants = new AtomicReference<>(UserGrants.NONE);
    private volatile String lastFailure;

    @Activate
    void activate(Map<String, Object> config) {
        settings = KeycloakSettings.from(config);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "meridian-keycloak-sync");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        syncThread = executor;
        LOG.info("Keycloak permissions: realm {} at {}, {} rule(s), sync every {} s, token roles {}, unmatched {}",
                settings.realm(), settings.serverUrl(), settings.rules().size(), settings.syncInterval().toSeconds(),
                settings.useTokenRoles() ? "used" : "ignored", settings.denyUnmatched() ? "denied" : "left to the next");
        syncThread.scheduleWithFixedDelay(this::syncNow, 0, settings.syncInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Deactivate
    void deactivate() {
        syncThread.shutdownNow();
        try {
            syncThread.awaitTermination(settings.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (directory != null) {
            directory.close();
        }
    }

    /** Syncs on the sync thread; completes with a one-line outcome. */
    public CompletableFuture<String> sync() {
        return CompletableFuture.supplyAsync(this::syncNow, syncThread);
    }

    private String syncNow() {
        try {
            if (directory == null) {
                directory = new KeycloakDirectory(settings);
            }
            UserGrants fresh = directory.read();
            UserGrants before = grants.getAndSet(fresh);
            String changes = KeycloakDirectory.changes(before, fresh);
            String outcome = "Keycloak sync: " + fresh.byUser().size() + " user(s) read from realm " + settings.realm()
                    + (changes.isEmpty() ? ", no change" : "; changed: " + changes);
            if (lastFailure != null || !changes.isEmpty()) {
                LOG.info(outcome);
            } else {
                LOG.debug(outcome);
            }
            lastFailure = null;
            return outcome;
        } catch (RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
            lastFailure = why;
            UserGrants kept = grants.get();
            String outcome = "Keycloak sync failed (" + why + "); the permissions read at " + kept.at()
                    + " stay in force";
            LOG.warn(outcome);
            return outcome;
        }
    }

    /** Everything {@code client} holds: Keycloak's grants plus the roles from its token. */
    Set<String> held(String username, Set<String> tokenRoles) {
        Set<String> all = new LinkedHashSet<>(grants.get().of(username));
        if (settings.useTokenRoles()) {
            for (String role : tokenRoles) {
                all.add("role:" + role);
            }
        }
        return all;
    }

    /** The rules {@code username} (connected as {@code clientId}) is granted, with patterns resolved. */
    List<String> effective(String username, String clientId, Set<String> tokenRoles) {
        Set<String> held = held(username, tokenRoles);
        List<String> out = new ArrayList<>();
        for (PermissionRule rule : settings.rules()) {
            if (held.contains(rule.grant())) {
                String pattern = rule.patternFor(username, clientId);
                if (pattern != null) {
                    out.add((rule.read() && rule.write() ? "readwrite " : rule.read() ? "read " : "write ") + pattern
                            + "   (from " + rule.grant() + ")");
                }
            }
        }
        return out;
    }

    UserGrants current() {
        return grants.get();
    }

    Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    @Override
    public void authorizePublish(PublishAuthorizationInput input, AuthorizationOutput output) {
        decide(input.client(), input.topic(), true, output);
    }

    @Override
    public void authorizeSubscribe(SubscribeAuthorizationInput input, AuthorizationOutput output) {
        decide(input.client(), input.topicFilter(), false, output);
    }

    /** Clients already told about a rule that cannot apply to them (bounded: logged once each). */
    private final Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A rule whose %u/%c this client's identity would widen matches nothing for it: said once per client. */
    private void warnUnusable(PermissionRule rule, String user, String clientId) {
        if (user == null && rule.pattern().contains("%u")) {
            return; // an anonymous client: a %u rule simply does not apply
        }
        if (warned.size() < 100_000 && warned.add(clientId + "\u0000" + user)) {
            LOG.warn("Client '{}' (user {}): Keycloak rule '{}' matches nothing for it: its client id or user name is "
                    + "empty or holds '+', '#' or '/', which must not widen a rule", clientId,
                    user == null ? "(anonymous)" : "'" + user + "'", rule);
        }
    }

    private void decide(ClientInfo client, String topic, boolean write, AuthorizationOutput output) {
        String user = client.username().orElse(null);
        Set<String> held = held(user, client.roles());
        for (PermissionRule rule : settings.rules()) {
            if ((write ? rule.write() : rule.read()) && held.contains(rule.grant())) {
                String pattern = rule.patternFor(user, client.clientId());
                if (pattern == null) {
                    warnUnusable(rule, user, client.clientId());
                } else if (write ? Topics.matches(pattern, topic) : Topics.covers(pattern, topic)) {
                    output.allow();
                    return;
                }
            }
        }
        if (settings.denyUnmatched()) {
            output.deny("no Keycloak role or group of " + (user == null ? "an anonymous client" : "'" + user + "'")
                    + " allows " + (write ? "publishing to" : "subscribing to") + " '" + topic + "'");
        }
    }
}
