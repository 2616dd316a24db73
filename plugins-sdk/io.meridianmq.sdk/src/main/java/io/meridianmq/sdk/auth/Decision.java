package io.meridianmq.sdk.auth;

/**
 * The three answers a link in an authentication or authorization chain can give.
 *
 * @since 0.1
 */
public enum Decision {
    /** Accept; the chain stops here. */
    ALLOW,
    /** Refuse; the chain stops here. */
    DENY,
    /** No opinion; ask the next plugin in the chain. */
    NEXT
}
