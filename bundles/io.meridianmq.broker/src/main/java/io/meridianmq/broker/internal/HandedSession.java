package io.meridianmq.broker.internal;

import java.util.Map;

import io.meridianmq.storage.RecoveredSession;

/**
 * A session's state as one node hands it to another, with the cluster id of each message that
 * has one (so that the receiving node takes a message once, however it reached it).
 *
 * @param session the state, its messages keyed in order
 * @param messageIds the cluster id of messages by their key in {@code session}; absent: none
 */
record HandedSession(RecoveredSession session, Map<Long, String> messageIds) {
}
