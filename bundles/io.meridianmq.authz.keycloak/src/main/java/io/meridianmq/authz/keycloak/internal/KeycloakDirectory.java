package io.meridianmq.authz.keycloak.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jboss.resteasy.client.jaxrs.internal.ResteasyClientBuilderImpl;
import org.keycloak.OAuth2Constants;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.admin.client.resource.UserResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.GroupRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * Reads users' roles and groups from Keycloak's admin API with {@code keycloak-admin-client},
 * as the broker's service account (client credentials). Only the clients named by client-role
 * rules are asked about. Blocking: called on the sync thread only, never by an authorization.
 */
final class KeycloakDirectory implements AutoCloseable {

    private final KeycloakSettings settings;
    private final Keycloak keycloak;

    KeycloakDirectory(KeycloakSettings settings) {
        this.settings = settings;
        this.keycloak = withBundleClassLoader(() -> KeycloakBuilder.builder()
                .serverUrl(settings.serverUrl())
                .realm(settings.realm())
                .grantType(OAuth2Constants.CLIENT_CREDENTIALS)
                .clientId(settings.clientId())
                .clientSecret(settings.clientSecret())
                .resteasyClient(new ResteasyClientBuilderImpl()
                        .connectTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                        .connectionPoolSize(4)
                        .build())
                .build());
    }

    /** Every user's grants, as Keycloak has them now. */
    UserGrants read() {
        return withBundleClassLoader(() -> {
            RealmResource realm = keycloak.realm(settings.realm());
            Map<String, String> clientIds = new HashMap<>(); // clientId -> internal id
            for (PermissionRule rule : settings.rules()) {
                if (rule.kind() == PermissionRule.Kind.CLIENT_ROLE) {
                    String client = rule.name().substring(0, rule.name().indexOf(':'));
                    if (!clientIds.containsKey(client)) {
                        List<ClientRepresentation> found = realm.clients().findByClientId(client);
                        if (!found.isEmpty()) {
                            clientIds.put(client, found.get(0).getId());
                        }
                    }
                }
            }
            Map<String, Set<String>> byUser = new HashMap<>();
            int page = 100;
            for (int first = 0; first < settings.maxUsers(); first += page) {
                List<UserRepresentation> users = realm.users().list(first, page);
                for (UserRepresentation user : users) {
                    UserResource u = realm.users().get(user.getId());
                    Set<String> grants = new LinkedHashSet<>();
                    for (RoleRepresentation role : u.roles().realmLevel().listEffective()) {
                        grants.add("role:" + role.getName());
                    }
                    for (Map.Entry<String, String> client : clientIds.entrySet()) {
                        for (RoleRepresentation role : u.roles().clientLevel(client.getValue()).listEffective()) {
                            grants.add("client-role:" + client.getKey() + ":" + role.getName());
                        }
                    }
                    for (GroupRepresentation group : u.groups()) {
                        grants.add("group:" + group.getPath());
                    }
                    byUser.put(user.getUsername(), Set.copyOf(grants));
                }
                if (users.size() < page) {
                    break;
                }
            }
            return new UserGrants(Map.copyOf(byUser), Instant.now());
        });
    }

    /**
     * RESTEasy finds its providers through the thread context class loader: it must be this
     * bundle's, where the embedded jars are.
     */
    private static <T> T withBundleClassLoader(java.util.function.Supplier<T> work) {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(KeycloakDirectory.class.getClassLoader());
        try {
            return work.get();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    @Override
    public void close() {
        withBundleClassLoader(() -> {
            keycloak.close();
            return null;
        });
    }

    /** The grants that differ between two syncs, for the log: "+alice role:x, -bob group:/g". */
    static String changes(UserGrants before, UserGrants after) {
        StringBuilder out = new StringBuilder();
        Set<String> users = new HashSet<>(before.byUser().keySet());
        users.addAll(after.byUser().keySet());
        for (String user : new java.util.TreeSet<>(users)) {
            Set<String> was = before.of(user);
            Set<String> now = after.of(user);
            for (String g : now) {
                if (!was.contains(g)) {
                    out.append(out.length() == 0 ? "" : ", ").append('+').append(user).append(' ').append(g);
                }
            }
            for (String g : was) {
                if (!now.contains(g)) {
                    out.append(out.length() == 0 ? "" : ", ").append('-').append(user).append(' ').append(g);
                }
            }
        }
        return out.toString();
    }
}
