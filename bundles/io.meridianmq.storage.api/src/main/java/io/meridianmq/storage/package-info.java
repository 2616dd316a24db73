/**
 * The storage SPI: what the broker core asks of a store. Implementations (in-memory, H2 MVStore)
 * register these interfaces as OSGi services; the broker uses the one with the highest ranking.
 *
 * <p>Not for plugins: the export carries a mandatory attribute ({@code meridian.internal}), so
 * only Meridian's own bundles, which ask for it, resolve against it; plugins see the SDK only.
 */
@Export(attribute = {"meridian.internal=true", "mandatory:=meridian.internal"})
@Version("0.6.0")
package io.meridianmq.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
