/**
 * The broker core as the protocol layer sees it: {@link io.meridianmq.broker.Broker} accepts
 * connections and returns a {@link io.meridianmq.broker.ClientSession} for each; the protocol
 * layer implements the {@link io.meridianmq.broker.ClientConnection} port through which the core
 * sends messages back. The core never imports the protocol layer.
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}), so
 * only Meridian's own bundles, which ask for it, resolve against it; plugins see the SDK only.
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.7.0")
package io.meridianmq.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
