package io.meridianmq.sdk.async;

/**
 * What the broker does when a plugin that went asynchronous does not resume in time, or when a
 * callback throws.
 *
 * @since 1.0
 */
public enum TimeoutFallback {
    /** Carry on as if the plugin had not been there (authentication/authorization: ask the next). */
    SUCCESS,
    /** Refuse: deny the client or the operation, drop the message. */
    FAILURE
}
