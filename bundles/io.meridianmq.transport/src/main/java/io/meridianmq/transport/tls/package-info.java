/**
 * TLS settings as Meridian's listeners read them (Mosquitto's names) and the SSL context made
 * from them, shared by the MQTT listeners and the management server so that both take the
 * same settings the same way.
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}).
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.1.0")
package io.meridianmq.transport.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
