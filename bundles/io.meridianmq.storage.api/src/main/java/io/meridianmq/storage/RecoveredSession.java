package io.meridianmq.storage;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;

/**
 * Everything a store kept of one persistent session, handed to the broker once at start.
 *
 * @param disconnectedAtMillis when its client went away, or 0 if it was connected when the broker
 *        stopped (the expiry then counts from the restart)
 * @param messages its queued and in-flight messages by sequence number, oldest first
 * @param incomingQos2 packet ids of QoS 2 messages received from the client and not yet released
 * @param will its pending delayed will, or {@code null}
 * @param owner who made the session (the broker's owner key), or {@code null} when the store does
 *        not know (a session stored before owners were kept)
 */
public record RecoveredSession(String clientId, long expirySeconds, long disconnectedAtMillis,
        List<StoredSubscription> subscriptions, SortedMap<Long, StoredMessage> messages, Set<Integer> incomingQos2,
        StoredWill will, String owner) {
}
