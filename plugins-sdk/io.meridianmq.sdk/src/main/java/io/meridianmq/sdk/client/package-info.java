/**
 * What the broker tells plugins about a connected (or connecting) client.
 *
 * @since 0.1
 */
@Export
@NullMarked
@Version("1.1.0")
package io.meridianmq.sdk.client;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
