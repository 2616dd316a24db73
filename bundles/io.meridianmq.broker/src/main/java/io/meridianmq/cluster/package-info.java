/**
 * The seam between the broker core and a cluster engine: the core tells a
 * {@link io.meridianmq.cluster.ClusterFabric} which topic filters its sessions subscribe to, which
 * messages were published here, which retained messages changed and which client ids connect;
 * the fabric answers through the {@link io.meridianmq.cluster.ClusterNode} the core gives it.
 * Messages and sessions cross the seam as opaque bytes that only the core reads, so a fabric is
 * a transport with route knowledge and never depends on the core's types.
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}), so
 * only Meridian's own bundles (the {@code meridian-cluster} feature), which ask for it, resolve
 * against it.
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.2.0")
package io.meridianmq.cluster;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
