/**
 * Authentication and authorization plugins.
 *
 * <p>Plugins register {@link io.meridianmq.sdk.auth.Authenticator} and
 * {@link io.meridianmq.sdk.auth.Authorizer} OSGi services. The broker calls them as a chain
 * ordered by the {@code service.ranking} property, highest first: each answers allow, deny or
 * "next" (let the next one in the chain decide). Every call returns a
 * {@link java.util.concurrent.CompletionStage}, so a plugin that needs I/O completes it later on
 * its own thread and never blocks the broker's network threads.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.1.0")
package io.meridianmq.sdk.auth;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
