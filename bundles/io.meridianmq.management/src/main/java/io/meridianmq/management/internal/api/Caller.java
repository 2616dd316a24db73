package io.meridianmq.management.internal.api;

/**
 * Who calls the REST API, once authenticated: a Karaf user or an API key, and what it may do.
 *
 * @param name {@code user NAME} or {@code api key NAME}, for the audit log
 * @param admin whether it may change things (Karaf role {@code admin}, or an admin key); otherwise
 *        it may read (role {@code viewer})
 */
record Caller(String name, boolean admin) {
}
