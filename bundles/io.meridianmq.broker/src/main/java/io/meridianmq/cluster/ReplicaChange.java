package io.meridianmq.cluster;

/**
 * One change to the cluster's copy of a persistent session: an entry of one incarnation of the
 * session of {@code clientId} set ({@code value} non-null), removed ({@code value} null), or the
 * whole incarnation removed ({@code key} null). An incarnation is the session from its creation
 * on one node to its end there; keys and values are the broker's own (opaque to the fabric).
 *
 * @param clientId the session's client id, never null
 * @param incarnation which incarnation of the session, never null
 * @param key the entry within it, or null for all of them
 * @param value the entry's bytes, or null to remove it
 * @since 0.1
 */
public record ReplicaChange(String clientId, String incarnation, String key, byte[] value) {
}
