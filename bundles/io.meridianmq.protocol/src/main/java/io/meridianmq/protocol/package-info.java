/**
 * The MQTT protocol layer as the transport sees it: {@link io.meridianmq.protocol.MqttPipeline}
 * turns an accepted Netty channel into an MQTT connection.
 */
@Export
@Version("0.1.0")
package io.meridianmq.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
