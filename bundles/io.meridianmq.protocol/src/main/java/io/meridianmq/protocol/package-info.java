/**
 * The MQTT protocol layer as the transport sees it: {@link io.meridianmq.protocol.MqttPipeline}
 * turns an accepted Netty channel into an MQTT connection.
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}), so
 * only Meridian's own bundles, which ask for it, resolve against it; plugins see the SDK only.
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.5.0")
package io.meridianmq.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
