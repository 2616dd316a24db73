/**
 * The transport's state for other Meridian bundles: {@link io.meridianmq.transport.ListenerStatus}
 * for each listener (the management server's readiness check and listener list read it) and
 * {@link io.meridianmq.transport.IoThreads}, the event loops' lag (a metric).
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}).
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.2.0")
package io.meridianmq.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
