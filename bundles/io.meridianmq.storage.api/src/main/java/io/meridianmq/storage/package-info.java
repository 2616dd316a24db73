/**
 * The storage SPI: what the broker core asks of a store. Implementations (in-memory, MapDB)
 * register these interfaces as OSGi services; the broker uses the one with the highest ranking.
 */
@Export
@Version("0.1.0")
package io.meridianmq.storage;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
