package io.meridianmq.authz.keycloak.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code etc/io.meridianmq.authz.keycloak.cfg}, read and checked: where Keycloak is, the
 * broker's service account, how often to sync, and the rules ({@code rule.<n>}, in order).
 */
record KeycloakSettings(String serverUrl, String realm, String clientId, String clientSecret, Duration syncInterval,
        Duration timeout, int maxUsers, boolean useTokenRoles, boolean denyUnmatched, List<PermissionRule> rules) {

    static KeycloakSettings from(Map<String, ?> config) {
        Object f = config.get("felix.fileinstall.filename");
        String file = f == null ? "io.meridianmq.authz.keycloak" : f.toString();
        String url = text(config, "server_url", "");
        String realm = text(config, "realm", "");
        String client = text(config, "client_id", "");
        String secret = text(config, "client_secret", "");
        if (url.isEmpty() || realm.isEmpty() || client.isEmpty() || secret.isEmpty()) {
            throw new IllegalArgumentException(file + ": server_url, realm, client_id and client_secret are all needed "
                    + "(the broker's service account in Keycloak, with realm-management roles view-users and "
                    + "query-groups)");
        }
        TreeMap<Integer, PermissionRule> ordered = new TreeMap<>();
        for (Map.Entry<String, ?> e : config.entrySet()) {
            if (e.getKey().startsWith("rule.")) {
                int n;
                try {
                    n = Integer.parseInt(e.getKey().substring(5));
                } catch (NumberFormatException bad) {
                    throw new IllegalArgumentException(file + ": " + e.getKey() + ": rules are numbered, e.g. rule.1");
                }
                ordered.put(n, PermissionRule.parse(file + ": " + e.getKey(), e.getValue().toString()));
            }
        }
        String unmatched = text(config, "unmatched", "deny");
        if (!unmatched.equals("deny") && !unmatched.equals("next")) {
            throw new IllegalArgumentException(file + ": unmatched = '" + unmatched + "': use deny or next");
        }
        return new KeycloakSettings(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, realm, client, secret,
                Duration.ofSeconds(number(file, config, "sync_interval_seconds", 300)),
                Duration.ofMillis(number(file, config, "timeout_ms", 5000)),
                (int) number(file, config, "max_users", 10_000),
                Boolean.parseBoolean(text(config, "use_token_roles", "true")),
                unmatched.equals("deny"), new ArrayList<>(ordered.values()));
    }

    private static String text(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null ? fallback : v.toString().trim();
    }

    private static long number(String file, Map<String, ?> config, String key, long fallback) {
        String v = text(config, key, "");
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": " + key + " = '" + v + "' is not a whole number > 0");
        }
    }
}
