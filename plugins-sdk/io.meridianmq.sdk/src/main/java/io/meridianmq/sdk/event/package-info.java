/**
 * Lifecycle and audit events.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.0.0")
package io.meridianmq.sdk.event;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
