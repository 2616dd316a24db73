/**
 * How a plugin callback finishes later: every output object is an
 * {@link io.meridianmq.sdk.async.AsyncOutput}; a plugin that needs I/O calls
 * {@link io.meridianmq.sdk.async.AsyncOutput#async} and resumes when done, and the broker
 * applies the fallback if it does not within the timeout.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.0.0")
package io.meridianmq.sdk.async;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
