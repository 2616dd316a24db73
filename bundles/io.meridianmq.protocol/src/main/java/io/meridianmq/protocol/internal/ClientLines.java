package io.meridianmq.protocol.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.meridianmq.sdk.client.ClientInfo;

/**
 * Each client's connect and disconnect line, under a logger of their own
 * ({@code io.meridianmq.clients}): an operator can turn them off (WARN) without losing the
 * refusals and violations, which stay on the connection's logger.
 *
 * <p>Threading: any; the lines are handed to the asynchronous appender.
 */
final class ClientLines {

    private static final Logger CLIENTS = LoggerFactory.getLogger("io.meridianmq.clients");

    private ClientLines() {
    }

    /** Whether the lines are written: when not, callers skip building what goes into them. */
    static boolean on() {
        return CLIENTS.isInfoEnabled();
    }

    static void connected(String who, String protocol, boolean resumed, int keepAlive, String listener,
            ClientInfo client) {
        CLIENTS.info("Client {} connected ({}, {} session, keep alive {} s, listener '{}'{}{})", who, protocol,
                resumed ? "resumed" : "new", keepAlive, listener,
                client.username().map(u -> ", user '" + u + "'").orElse(""),
                client.credentialsExpireAt().map(t -> ", credentials good until " + t).orElse(""));
    }

    static void ended(String who, String how) {
        CLIENTS.info("Client {} {}", who, how);
    }
}
