package io.meridianmq.transport.internal;

import java.util.Map;
import java.util.Set;

/**
 * A listener's connection limits ({@code etc/io.meridianmq.listener-NAME.cfg}); -1 or 0 means
 * no limit. An edit of just these keys applies at once, without closing the listener's clients.
 *
 * @param maxConnections {@code max_connections}: connections open at once on this listener (-1: none)
 * @param connectionsPerSecond {@code max_connection_rate}: accepts per second, with one second's burst (0: none)
 * @param maxPerAddress {@code max_connections_per_address}: connections open at once from one IP address (-1: none)
 */
record AdmissionLimits(int maxConnections, int connectionsPerSecond, int maxPerAddress) {

    /** The keys of these limits: a change of only these leaves the listener open. */
    static final Set<String> KEYS = Set.of("max_connections", "max_connection_rate", "max_connections_per_address");

    static AdmissionLimits from(Map<String, Object> config, String source) {
        return new AdmissionLimits(number(config, source, "max_connections", -1),
                number(config, source, "max_connection_rate", 0),
                number(config, source, "max_connections_per_address", -1));
    }

    private static int number(Map<String, Object> config, String source, String key, int fallback) {
        Object raw = config.get(key);
        if (raw == null || raw.toString().isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.toString().trim());
            if (value < -1) {
                throw new IllegalArgumentException(source + ": " + key + " = " + value + " is below -1 (-1: no limit)");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": " + key + " = '" + raw + "' is not a whole number");
        }
    }
}
