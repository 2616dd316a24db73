package io.meridianmq.broker;

import java.time.Duration;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The banned clients, kept across restarts ({@code data/meridian/bans.properties}): added,
 * listed and removed by operators (console, REST API), checked by the broker at every CONNECT.
 * Adding a ban also disconnects the clients it matches (MQTT 5: DISCONNECT 0x98, administrative
 * action).
 *
 * <p>Threading: any thread.
 *
 * @since 0.3
 */
@ProviderType
public interface Bans {

    /**
     * Bans {@code value} for {@code duration} (null: until removed), replacing a ban of the same
     * kind and value.
     *
     * @return the ban, and how many connected clients it disconnected
     */
    Added add(Ban.Kind kind, String value, Duration duration, String reason, String by);

    /** Removes the ban of this kind and value; false when there was none. */
    boolean remove(Ban.Kind kind, String value);

    /** The bans in force, oldest first (expired ones are forgotten). */
    List<Ban> list();

    /** A ban just added, and the clients it disconnected. */
    record Added(Ban ban, int disconnected) {
    }
}
