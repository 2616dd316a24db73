package io.meridianmq.bridge.mqtt.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.meridianmq.sdk.topic.Topics;

/**
 * One bridge's settings ({@code etc/io.meridianmq.bridge-NAME.cfg}) in Mosquitto's words, read
 * once per start of the bridge; a value that cannot be used is refused with a message naming the
 * key, so that the bridge does not start half right.
 *
 * <p>Threading: immutable.
 *
 * @param name the bridge's name (from the file name, or {@code name})
 * @param addresses the remote broker's {@code host:port}s, tried in turn
 * @param topics the topic lines ({@code topic}, {@code topic.2}, ... in key order)
 * @param protocolVersion 4 (MQTT 3.1.1) or 5
 * @param cleanSession whether the remote session starts clean at each connection
 * @param localClientId the bridge's plugin session in this broker
 * @param remoteClientId the client id on the remote broker
 * @param remoteUsername the user name on the remote broker, or null
 * @param remotePassword the password on the remote broker, or null
 * @param tls TLS to the remote broker, or null for plain TCP
 * @param restartBase the first wait before connecting again (doubling up to {@code restartCap})
 * @param restartCap the longest wait before connecting again
 * @param keepAlive the keep alive on the remote connection
 * @param notifications whether the bridge publishes its state (1 up, 0 down), retained
 * @param notificationTopic where it publishes it
 * @param tryPrivate whether messages the bridge sent never come back from the remote broker
 * @param maxInflight QoS 1/2 messages out to the remote broker unacknowledged at once
 * @param maxQueued messages waiting to go out (in the broker's store) beyond which new ones are dropped
 */
record BridgeSettings(String name, List<String> addresses, List<TopicMapping> topics, int protocolVersion,
        boolean cleanSession, String localClientId, String remoteClientId, String remoteUsername,
        String remotePassword, Tls tls, Duration restartBase, Duration restartCap, int keepAlive,
        boolean notifications, String notificationTopic, boolean tryPrivate, int maxInflight, int maxQueued) {

    /** TLS to the remote broker, from PEM files. */
    record Tls(Path caFile, Path certFile, Path keyFile, boolean insecure) {
    }

    static BridgeSettings from(String name, Map<String, ?> config) {
        List<String> addresses = new ArrayList<>();
        for (String a : required(config, "address").split("[,\\s]+")) {
            if (!a.isBlank()) {
                addresses.add(a.contains(":") ? a : a + ":1883");
            }
        }
        for (String a : addresses) {
            port(a);
        }
        List<TopicMapping> topics = new ArrayList<>();
        new TreeMap<>(config).forEach((key, value) -> {
            if (key.equals("topic") || key.startsWith("topic.")) {
                topics.add(topic(key, value.toString()));
            }
        });
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("no topic line: add one, e.g. topic = sensors/# out 1");
        }
        int version = switch (text(config, "bridge_protocol_version", "mqttv311")) {
            case "mqttv311", "3.1.1", "4" -> 4;
            case "mqttv50", "5", "5.0" -> 5;
            default -> throw new IllegalArgumentException("bridge_protocol_version = '"
                    + text(config, "bridge_protocol_version", "") + "': use mqttv311 or mqttv50");
        };
        Tls tls = null;
        String ca = text(config, "bridge_cafile", null);
        String cert = text(config, "bridge_certfile", null);
        String key = text(config, "bridge_keyfile", null);
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("bridge_certfile and bridge_keyfile go together (a client certificate "
                    + "and its key)");
        }
        if (ca != null || cert != null) {
            tls = new Tls(file(ca, "bridge_cafile"), file(cert, "bridge_certfile"), file(key, "bridge_keyfile"),
                    flag(config, "bridge_insecure", false));
        }
        String[] restart = text(config, "restart_timeout", "5 30").trim().split("\\s+");
        int base = number(restart[0], "restart_timeout", 1, 3600);
        int cap = restart.length > 1 ? number(restart[1], "restart_timeout", base, 86_400) : base;
        String remoteId = text(config, "remote_clientid", hostName() + "." + name);
        return new BridgeSettings(name, List.copyOf(addresses), List.copyOf(topics), version,
                flag(config, "cleansession", false), text(config, "local_clientid", "meridian-bridge-" + name),
                remoteId, text(config, "remote_username", null), text(config, "remote_password", null), tls,
                Duration.ofSeconds(base), Duration.ofSeconds(cap),
                number(text(config, "keepalive_interval", "60"), "keepalive_interval", 5, 65535),
                flag(config, "notifications", true),
                text(config, "notification_topic", "$SYS/broker/connection/" + name + "/state"),
                flag(config, "try_private", true),
                number(text(config, "max_inflight_messages", "20"), "max_inflight_messages", 1, 65535),
                number(text(config, "max_queued_messages", "100000"), "max_queued_messages", 1, Integer.MAX_VALUE));
    }

    String describe() {
        StringBuilder s = new StringBuilder("bridge '" + name + "' to " + String.join(", ", addresses) + " (MQTT "
                + (protocolVersion == 5 ? "5" : "3.1.1") + (tls != null ? ", TLS" : "") + ", remote client id '"
                + remoteClientId + "'), topics:");
        topics.forEach(t -> s.append(' ').append(t.describe()).append(';'));
        return s.toString();
    }

    /** {@code pattern [[[out | in | both] qos] local-prefix remote-prefix]}, {@code ""} for an empty prefix. */
    static TopicMapping topic(String key, String line) {
        List<String> words = words(line);
        if (words.isEmpty() || words.size() == 4 || words.size() > 5) {
            throw new IllegalArgumentException(key + " = '" + line + "': write pattern [[[out|in|both] qos] "
                    + "local-prefix remote-prefix]");
        }
        String pattern = words.get(0);
        String direction = words.size() > 1 ? words.get(1) : "out";
        boolean out = direction.equals("out") || direction.equals("both");
        boolean in = direction.equals("in") || direction.equals("both");
        if (!out && !in) {
            throw new IllegalArgumentException(key + " = '" + line + "': the direction is out, in or both, not '"
                    + direction + "'");
        }
        int qos = words.size() > 2 ? number(words.get(2), key + " QoS", 0, 2) : 0;
        String localPrefix = words.size() > 3 ? words.get(3) : "";
        String remotePrefix = words.size() > 4 ? words.get(4) : "";
        TopicMapping t = new TopicMapping(pattern, out, in, qos, localPrefix, remotePrefix);
        for (String filter : List.of(t.localFilter(), t.remoteFilter())) {
            if (filter.isEmpty() || !Topics.isValidTopicFilter(filter)) {
                throw new IllegalArgumentException(key + " = '" + line + "': '" + filter + "' is not a topic filter"
                        + " (a prefix ends with '/', the pattern may hold + and #)");
            }
        }
        if ((!localPrefix.isEmpty() && (localPrefix.contains("+") || localPrefix.contains("#")))
                || (!remotePrefix.isEmpty() && (remotePrefix.contains("+") || remotePrefix.contains("#")))) {
            throw new IllegalArgumentException(key + " = '" + line + "': a prefix has no wildcards");
        }
        return t;
    }

    /** Splits on blanks; {@code ""} stands for an empty word, as in Mosquitto's files. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        for (String w : line.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                words.add(w.equals("\"\"") ? "" : w);
            }
        }
        return words;
    }

    static int port(String address) {
        String p = address.substring(address.lastIndexOf(':') + 1);
        return number(p, "address", 1, 65535);
    }

    static String host(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    private static Path file(String value, String key) {
        if (value == null) {
            return null;
        }
        Path p = Path.of(value);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(key + " = " + value + ": no such readable file");
        }
        return p;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "meridian";
        }
    }

    private static String required(Map<String, ?> config, String key) {
        String v = text(config, key, null);
        if (v == null) {
            throw new IllegalArgumentException("no " + key + ": give the remote broker as host:port");
        }
        return v;
    }

    private static String text(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    private static boolean flag(Map<String, ?> config, String key, boolean fallback) {
        String v = text(config, key, null);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " = '" + v + "': use true or false");
        };
    }

    private static int number(String v, String key, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " = " + v + ": use " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }
}
