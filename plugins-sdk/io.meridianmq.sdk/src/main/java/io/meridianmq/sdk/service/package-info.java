/**
 * Services the broker offers to plugins. 1.1: plugin sessions ({@link
 * io.meridianmq.sdk.service.PluginSession}), for bridges and other plugins that move messages.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.1.0")
package io.meridianmq.sdk.service;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
