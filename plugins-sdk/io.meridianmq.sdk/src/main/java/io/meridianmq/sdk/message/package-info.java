/**
 * What a published message carries besides topic and payload (MQTT 5.0 properties), in a
 * protocol-neutral form that the broker, its stores and plugins share.
 *
 * @since 0.1
 */
@Export
@NullMarked
@Version("1.0.0")
package io.meridianmq.sdk.message;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
