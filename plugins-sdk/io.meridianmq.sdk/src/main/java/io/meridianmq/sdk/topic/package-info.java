/**
 * MQTT topic names and topic filters: validation and matching, the same rules the broker uses.
 *
 * @since 0.1
 */
@Export
@NullMarked
@Version("1.2.0")
package io.meridianmq.sdk.topic;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
