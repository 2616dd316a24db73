/**
 * Interceptors: plugins that see, change or drop messages as they pass through the broker.
 *
 * @since 1.0
 */
@Export
@NullMarked
@Version("1.1.0")
package io.meridianmq.sdk.interceptor;

import org.jspecify.annotations.NullMarked;
import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
