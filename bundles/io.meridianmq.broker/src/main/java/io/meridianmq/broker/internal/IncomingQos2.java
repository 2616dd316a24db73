package io.meridianmq.broker.internal;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import io.meridianmq.storage.SessionStore;

/**
 * The QoS 2 packet ids a session's client has sent and not yet released with PUBREL: a PUBLISH
 * resent with one of them is acknowledged again but not routed twice (exactly once). Kept in the
 * store while the session is persistent.
 *
 * <p>Threading: the session's thread only.
 */
final class IncomingQos2 {

    private final String clientId;
    private final StoreMirror mirror;
    /** Null until the first QoS 2 PUBLISH: most clients never send one. */
    private Set<Integer> ids;

    IncomingQos2(String clientId, StoreMirror mirror) {
        this.clientId = clientId;
        this.mirror = mirror;
    }

    /** Records {@code packetId} (in {@code batch} too when persistent); false when it is a duplicate already routed. */
    boolean begin(int packetId, SessionStore.Batch batch) {
        if (ids == null) {
            ids = new HashSet<>();
        }
        if (!ids.add(packetId)) {
            return false;
        }
        if (mirror.persisted()) {
            batch.addIncomingQos2(clientId, packetId);
        }
        return true;
    }

    /** PUBREL: the exchange ends; false when the packet id was not known. */
    boolean end(int packetId) {
        if (ids != null && ids.remove(packetId)) {
            mirror.write(b -> b.removeIncomingQos2(clientId, packetId));
            return true;
        }
        return false;
    }

    /** Writes every id into {@code batch} (the session becomes persistent). */
    void storeInto(SessionStore.Batch batch) {
        if (ids == null) {
            return;
        }
        ids.forEach(id -> batch.addIncomingQos2(clientId, id));
    }

    /** A copy of the ids whose PUBREL is awaited (a session handed to another node). */
    Set<Integer> ids() {
        return ids == null ? new HashSet<>() : new HashSet<>(ids);
    }

    void restore(Collection<Integer> stored) {
        if (!stored.isEmpty()) {
            if (ids == null) {
                ids = new HashSet<>();
            }
            ids.addAll(stored);
        }
    }

    void clear() {
        ids = null;
    }
}
