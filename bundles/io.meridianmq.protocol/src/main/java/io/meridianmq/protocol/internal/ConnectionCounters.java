package io.meridianmq.protocol.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;

/**
 * What the protocol layer counts: open connections (for {@code max_connections}), CONNECT
 * outcomes, how connections ended, and PUBLISH packets it did not write. {@link LongAdder}s,
 * one per label value, made on first use.
 *
 * <p>Threading: any thread (each connection's event loop adds; readers sum).
 */
final class ConnectionCounters {

    /** Open connections, those before CONNACK included. */
    final AtomicInteger open = new AtomicInteger();
    /** The most connections open at once so far. */
    final AtomicInteger peak = new AtomicInteger();
    private final ConcurrentHashMap<String, LongAdder> connects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> rateLimited = new ConcurrentHashMap<>();
    final LongAdder droppedTooLarge = new LongAdder();
    final LongAdder droppedSlowReader = new LongAdder();

    /** A connection was accepted (before its CONNECT): counted open, and the peak follows. */
    void opened() {
        int n = open.incrementAndGet();
        peak.accumulateAndGet(n, Math::max);
    }

    void accepted() {
        count(connects, "accepted");
    }

    /** A refused CONNECT, by its return code in words shared by MQTT 3 and 5 ({@code not_authorized}). */
    void refused(MqttConnectReturnCode code) {
        String name = code.name().toLowerCase(java.util.Locale.ROOT).replace("connection_refused_", "");
        if (name.endsWith("_5")) {
            name = name.substring(0, name.length() - 2);
        }
        // MQTT 3's names for what MQTT 5 calls the same
        name = switch (name) {
            case "bad_user_name_or_password" -> "bad_username_or_password";
            case "unacceptable_protocol_version" -> "unsupported_protocol_version";
            case "identifier_rejected" -> "client_identifier_not_valid";
            default -> name;
        };
        count(connects, name);
    }

    /** A limit held a client back or refused a connection: {@code publish_rate}, {@code connection_rate}, ... */
    void rateLimited(String limit) {
        count(rateLimited, limit);
    }

    Map<String, Long> rateLimited() {
        return snapshot(rateLimited);
    }

    void disconnected(String how) {
        count(disconnects, how);
    }

    Map<String, Long> connects() {
        return snapshot(connects);
    }

    Map<String, Long> disconnects() {
        return snapshot(disconnects);
    }

    private static void count(ConcurrentHashMap<String, LongAdder> by, String label) {
        by.computeIfAbsent(label, k -> new LongAdder()).increment();
    }

    private static Map<String, Long> snapshot(ConcurrentHashMap<String, LongAdder> by) {
        Map<String, Long> now = new TreeMap<>();
        by.forEach((k, v) -> now.put(k, v.sum()));
        return now;
    }
}
