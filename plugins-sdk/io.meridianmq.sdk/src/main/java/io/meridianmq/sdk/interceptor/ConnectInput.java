package io.meridianmq.sdk.interceptor;

import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An authenticated CONNECT about to be accepted.
 *
 * <p>Threading: immutable. Nullness: no method returns {@code null}.
 *
 * @since 1.0
 */
@ProviderType
public interface ConnectInput {

    ClientInfo client();

    boolean cleanStart();

    /** The keep alive in force, in seconds (0 = none). */
    int keepAlive();

    /** The will topic, if the client set a will. */
    Optional<String> willTopic();
}
