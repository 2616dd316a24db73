package io.meridianmq.bridge.mqtt.internal;

/**
 * One {@code topic} line of a bridge, in Mosquitto's words:
 * {@code pattern [[[out | in | both] qos] local-prefix remote-prefix]}. A message on the local
 * topic {@code local-prefix + t} (t matching {@code pattern}) goes out as {@code remote-prefix + t},
 * and the other way in.
 *
 * <p>Threading: immutable.
 *
 * @param pattern the topic filter, without prefixes (may be empty when a prefix is the whole topic)
 * @param out whether local messages go to the remote broker
 * @param in whether remote messages come to the local broker
 * @param qos the QoS of the subscriptions on both sides (the messages keep theirs, up to it)
 * @param localPrefix prepended on the local side ({@code ""} for none)
 * @param remotePrefix prepended on the remote side ({@code ""} for none)
 */
record TopicMapping(String pattern, boolean out, boolean in, int qos, String localPrefix, String remotePrefix) {

    /** The subscription on the local broker (for {@link #out}). */
    String localFilter() {
        return localPrefix + pattern;
    }

    /** The subscription on the remote broker (for {@link #in}). */
    String remoteFilter() {
        return remotePrefix + pattern;
    }

    /** The remote topic for a local one this mapping's local filter matched, or null if it does not start with the local prefix. */
    String toRemote(String localTopic) {
        return localTopic.startsWith(localPrefix) ? remotePrefix + localTopic.substring(localPrefix.length()) : null;
    }

    /** The local topic for a remote one this mapping's remote filter matched, or null. */
    String toLocal(String remoteTopic) {
        return remoteTopic.startsWith(remotePrefix) ? localPrefix + remoteTopic.substring(remotePrefix.length()) : null;
    }

    /** As the operator would write it. */
    String describe() {
        return "'" + pattern + "' " + (out && in ? "both" : out ? "out" : "in") + " " + qos + " '" + localPrefix + "' '"
                + remotePrefix + "'";
    }
}
