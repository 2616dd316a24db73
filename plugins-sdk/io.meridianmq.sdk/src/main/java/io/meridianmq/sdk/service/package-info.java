/**
 * Services the broker offers to plugins.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.0.0")
package io.meridianmq.sdk.service;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
