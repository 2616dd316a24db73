package io.meridianmq.bridge.kafka.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import io.meridianmq.sdk.topic.Topics;

/**
 * One Kafka bridge's settings ({@code etc/io.meridianmq.kafka-NAME.cfg}), read once per start; a
 * value that cannot be used is refused with a message naming the key.
 *
 * <p>Threading: immutable.
 *
 * @param name the bridge's name (from the file name, or {@code name})
 * @param bootstrapServers Kafka's {@code host:port} list
 * @param ackKafka {@code ack_mode = kafka}: a QoS 1/2 PUBLISH is acknowledged once Kafka acknowledged its
 *        record ({@code acks=all}); {@code none}: at once (the record may be lost if Kafka is away)
 * @param toKafka MQTT topic filters to Kafka topics
 * @param fromKafka Kafka topics to MQTT topics
 * @param groupId the consumer group of the Kafka to MQTT direction
 * @param maxBuffered records on their way to Kafka at most; beyond, publishes are not taken
 * @param kafka more client properties ({@code kafka.*} keys without the prefix), for both sides
 */
record KafkaSettings(String name, String bootstrapServers, boolean ackKafka, List<ToKafka> toKafka,
        List<FromKafka> fromKafka, String groupId, int maxBuffered, Map<String, String> kafka) {

    /** How a record's key is made from an MQTT message. */
    enum KeySource { TOPIC, CLIENTID, NONE, JSON }

    /**
     * {@code to_kafka = FILTER KAFKA-TOPIC [key=topic|clientid|none|json:FIELD]}; the Kafka topic
     * may hold {@code {1}}, {@code {2}} ... (the MQTT topic's levels) and {@code {clientid}}.
     */
    record ToKafka(String filter, String kafkaTopic, KeySource key, String jsonField) {

        /** The Kafka topic for a message on {@code topic} from {@code clientId}. */
        String kafkaTopicFor(String topic, String clientId) {
            if (kafkaTopic.indexOf('{') < 0) {
                return kafkaTopic;
            }
            String[] levels = topic.split("/", -1);
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < kafkaTopic.length()) {
                char c = kafkaTopic.charAt(i);
                int close = kafkaTopic.indexOf('}', i);
                if (c == '{' && close > i) {
                    String name = kafkaTopic.substring(i + 1, close);
                    if (name.equals("clientid")) {
                        out.append(clientId);
                    } else {
                        int level = Integer.parseInt(name);
                        out.append(level <= levels.length ? levels[level - 1] : "");
                    }
                    i = close + 1;
                } else {
                    out.append(c);
                    i++;
                }
            }
            return out.toString();
        }
    }

    /**
     * {@code from_kafka = KAFKA-TOPIC MQTT-TOPIC [qos [retain]]}; the MQTT topic may hold
     * {@code {key}}, {@code {topic}} (the Kafka topic), {@code {partition}} and
     * {@code {header:NAME}}.
     */
    record FromKafka(String kafkaTopic, String mqttTopic, int qos, boolean retain) {
    }

    static KafkaSettings from(String name, Map<String, ?> config) {
        String servers = text(config, "bootstrap_servers", null);
        if (servers == null) {
            throw new IllegalArgumentException("no bootstrap_servers: give Kafka as host:port[,host:port]");
        }
        String ack = text(config, "ack_mode", "kafka");
        if (!ack.equals("kafka") && !ack.equals("none")) {
            throw new IllegalArgumentException("ack_mode = '" + ack + "': use kafka or none");
        }
        List<ToKafka> to = new ArrayList<>();
        List<FromKafka> from = new ArrayList<>();
        Map<String, String> kafka = new TreeMap<>();
        new TreeMap<>(config).forEach((key, value) -> {
            String v = value.toString().trim();
            if (key.equals("to_kafka") || key.startsWith("to_kafka.")) {
                to.add(toKafka(key, v));
            } else if (key.equals("from_kafka") || key.startsWith("from_kafka.")) {
                from.add(fromKafka(key, v));
            } else if (key.startsWith("kafka.")) {
                kafka.put(key.substring("kafka.".length()), v);
            }
        });
        if (to.isEmpty() && from.isEmpty()) {
            throw new IllegalArgumentException("no to_kafka or from_kafka line: add one, e.g. "
                    + "to_kafka = sensors/# telemetry");
        }
        int maxBuffered = number(text(config, "max_buffered", "10000"), "max_buffered", 1, 10_000_000);
        return new KafkaSettings(name, servers, ack.equals("kafka"), List.copyOf(to), List.copyOf(from),
                text(config, "group_id", "meridian-" + name), maxBuffered, Map.copyOf(kafka));
    }

    static ToKafka toKafka(String key, String line) {
        String[] w = line.split("\\s+");
        if (w.length < 2 || w.length > 3) {
            throw new IllegalArgumentException(key + " = '" + line + "': write FILTER KAFKA-TOPIC "
                    + "[key=topic|clientid|none|json:FIELD]");
        }
        if (!Topics.isValidTopicFilter(w[0])) {
            throw new IllegalArgumentException(key + " = '" + line + "': '" + w[0] + "' is not a topic filter");
        }
        if (!w[1].replaceAll("\\{(\\d+|clientid)}", "x").matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(key + " = '" + line + "': '" + w[1] + "' is not a Kafka topic (letters, "
                    + "digits, '.', '_', '-', and {1}, {2}... or {clientid})");
        }
        KeySource source = KeySource.TOPIC;
        String field = null;
        if (w.length == 3) {
            String k = w[2];
            if (!k.startsWith("key=")) {
                throw new IllegalArgumentException(key + " = '" + line + "': the third word is key=...");
            }
            String v = k.substring(4);
            if (v.startsWith("json:") && v.length() > 5) {
                source = KeySource.JSON;
                field = v.substring(5);
            } else {
                source = switch (v) {
                    case "topic" -> KeySource.TOPIC;
                    case "clientid" -> KeySource.CLIENTID;
                    case "none" -> KeySource.NONE;
                    default -> throw new IllegalArgumentException(key + " = '" + line + "': key=" + v
                            + ": use topic, clientid, none or json:FIELD");
                };
            }
        }
        return new ToKafka(w[0], w[1], source, field);
    }

    static FromKafka fromKafka(String key, String line) {
        String[] w = line.split("\\s+");
        if (w.length < 2 || w.length > 4) {
            throw new IllegalArgumentException(key + " = '" + line + "': write KAFKA-TOPIC MQTT-TOPIC [qos [retain]]");
        }
        int qos = w.length > 2 ? number(w[2], key + " QoS", 0, 2) : 1;
        boolean retain = w.length > 3 && switch (w[3]) {
            case "true", "retain" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " = '" + line + "': retain is true or false");
        };
        String probe = w[1].replaceAll("\\{[^}]*}", "x");
        if (!Topics.isValidTopicName(probe)) {
            throw new IllegalArgumentException(key + " = '" + line + "': '" + w[1] + "' is not an MQTT topic");
        }
        return new FromKafka(w[0], w[1], qos, retain);
    }

    /** The Kafka client properties: Meridian's safe defaults, then the operator's {@code kafka.*}. */
    Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("client.id", "meridian-" + name);
        p.putAll(kafka);
        return p;
    }

    String describe() {
        StringBuilder s = new StringBuilder("Kafka bridge '" + name + "' to " + bootstrapServers + " (ack_mode "
                + (ackKafka ? "kafka" : "none") + ")");
        toKafka.forEach(t -> s.append("; MQTT '").append(t.filter()).append("' -> Kafka '").append(t.kafkaTopic())
                .append("' key ").append(t.key() == KeySource.JSON ? "json:" + t.jsonField()
                        : t.key().name().toLowerCase()));
        fromKafka.forEach(f -> s.append("; Kafka '").append(f.kafkaTopic()).append("' -> MQTT '").append(f.mqttTopic())
                .append("' QoS ").append(f.qos()).append(f.retain() ? " retained" : ""));
        return s.toString();
    }

    private static String text(Map<String, ?> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
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
