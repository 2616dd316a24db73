package io.meridianmq.storage.mvstore.internal;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of {@code etc/io.meridianmq.storage.cfg}, with Mosquitto's names where it has one
 * ({@code persistence}, {@code persistence_location}, {@code persistence_file},
 * {@code autosave_interval}).
 *
 * @param sync {@code always}: a QoS 1/2 message is acknowledged only once it is on disk (group
 *        commit); {@code interval}: acknowledged at once, written every {@code autosave_interval}
 *        seconds, so a crash loses up to that much (Mosquitto's behaviour)
 * @param maxBatch the most writes grouped into one commit
 * @param moveCorruptAside whether a store that cannot be read is renamed and replaced by an empty
 *        one ({@code corrupt_store = move_aside}) instead of stopping storage ({@code fail})
 */
record StoreSettings(boolean persistence, Path file, boolean syncAlways, long autosaveIntervalMillis, int maxBatch,
        boolean moveCorruptAside) {

    static StoreSettings from(Map<String, Object> config) {
        String data = System.getProperty("karaf.data", "data");
        boolean persistence = bool(config, "persistence", true);
        Path location = Path.of(string(config, "persistence_location", data + "/store"));
        String fileName = string(config, "persistence_file", "meridian.db");
        String sync = string(config, "sync", "always").toLowerCase(Locale.ROOT);
        if (!sync.equals("always") && !sync.equals("interval")) {
            throw new IllegalArgumentException("sync must be 'always' or 'interval', not '" + sync + "'");
        }
        long autosave = Long.parseLong(string(config, "autosave_interval", "1"));
        int maxBatch = Integer.parseInt(string(config, "max_batch", "4096"));
        String corrupt = string(config, "corrupt_store", "fail").toLowerCase(Locale.ROOT);
        if (!corrupt.equals("fail") && !corrupt.equals("move_aside")) {
            throw new IllegalArgumentException("corrupt_store must be 'fail' or 'move_aside', not '" + corrupt + "'");
        }
        return new StoreSettings(persistence, location.resolve(fileName), sync.equals("always"),
                Math.max(1, autosave) * 1000L, Math.max(1, maxBatch), corrupt.equals("move_aside"));
    }

    private static String string(Map<String, Object> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    private static boolean bool(Map<String, Object> config, String key, boolean fallback) {
        Object v = config.get(key);
        return v == null ? fallback : Boolean.parseBoolean(v.toString().trim());
    }

    String describe() {
        return "file " + file + ", sync " + (syncAlways ? "always (acknowledge after commit)"
                : "every " + autosaveIntervalMillis / 1000 + " s (a crash loses what came since)");
    }
}
