package io.meridianmq.broker.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import io.meridianmq.broker.Ban;
import io.meridianmq.broker.Bans;
import io.meridianmq.broker.ClientConnection;
import io.meridianmq.broker.DisconnectReason;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's {@link Bans}: in memory for the CONNECT check (a map lookup per kind, no lock),
 * written through to a properties file so that bans survive a restart (written whole, to a
 * temporary file moved into place, so a crash leaves the old list or the new one).
 *
 * <p>Threading: any thread; changes are serialized on this object.
 */
final class BanList implements Bans {

    private static final Logger LOG = LoggerFactory.getLogger(BanList.class);

    private final ConcurrentHashMap<String, Ban> bans = new ConcurrentHashMap<>();
    /** Where bans are kept, or null when they live in memory only (outside a container). */
    private final Path file;
    private final SessionRegistry registry;
    private final Clock clock;

    BanList(Path file, SessionRegistry registry, Clock clock) {
        this.file = file;
        this.registry = registry;
        this.clock = clock;
        load();
    }

    private static String key(Ban.Kind kind, String value) {
        return kind.word() + ":" + value;
    }

    /** The ban in force for this client, if any: by client id, then user name, then address. */
    Optional<Ban> match(String clientId, String username, InetSocketAddress address) {
        if (bans.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Ban b = active(key(Ban.Kind.CLIENT_ID, clientId), now);
        if (b == null && username != null) {
            b = active(key(Ban.Kind.USERNAME, username), now);
        }
        if (b == null && address != null && address.getAddress() != null) {
            b = active(key(Ban.Kind.ADDRESS, address.getAddress().getHostAddress()), now);
        }
        return Optional.ofNullable(b);
    }

    private Ban active(String key, Instant now) {
        Ban b = bans.get(key);
        return b != null && b.activeAt(now) ? b : null;
    }

    @Override
    public synchronized Added add(Ban.Kind kind, String value, Duration duration, String reason, String by) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a ban needs a " + kind.word());
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("a ban's duration must be positive: " + duration);
        }
        Instant now = clock.instant();
        Ban ban = new Ban(kind, value, duration == null ? null : now.plus(duration),
                reason == null || reason.isBlank() ? "no reason given" : reason, by, now);
        bans.put(key(kind, value), ban);
        save();
        int disconnected = 0;
        for (Session s : registry.sessions()) {
            ClientIdentity who = s.identity;
            ClientConnection owner = s.owner;
            if (owner != null && who != null && matches(ban, who)) {
                owner.close(DisconnectReason.ADMINISTRATIVE_ACTION, "banned by " + by + ": " + ban.reason());
                disconnected++;
            }
        }
        LOG.warn("Banned {} '{}' {} by {}: {} ({} connected client(s) disconnected)", kind.word(), value,
                ban.until() == null ? "until removed" : "until " + ban.until(), by, ban.reason(), disconnected);
        return new Added(ban, disconnected);
    }

    private static boolean matches(Ban ban, ClientIdentity who) {
        return switch (ban.kind()) {
            case CLIENT_ID -> ban.value().equals(who.clientId());
            case USERNAME -> who.username().map(ban.value()::equals).orElse(false);
            case ADDRESS -> who.remoteAddress() != null && who.remoteAddress().getAddress() != null
                    && ban.value().equals(who.remoteAddress().getAddress().getHostAddress());
        };
    }

    @Override
    public synchronized boolean remove(Ban.Kind kind, String value) {
        Ban removed = bans.remove(key(kind, value));
        if (removed != null) {
            save();
            LOG.info("Ban of {} '{}' removed", kind.word(), value);
        }
        return removed != null;
    }

    @Override
    public List<Ban> list() {
        Instant now = clock.instant();
        List<Ban> all = new ArrayList<>();
        for (Ban b : bans.values()) {
            if (b.activeAt(now)) {
                all.add(b);
            }
        }
        all.sort(Comparator.comparing(Ban::at));
        return all;
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            LOG.error("Cannot read the ban list {}: {}; starting without bans", file, e.getMessage());
            return;
        }
        Instant now = clock.instant();
        for (String key : p.stringPropertyNames()) {
            try {
                Ban b = parse(key, p.getProperty(key));
                if (b.activeAt(now)) {
                    bans.put(key, b);
                }
            } catch (RuntimeException e) {
                LOG.error("Ban list {}: entry '{}' cannot be read ({}); skipped", file, key, e.getMessage());
            }
        }
        if (!bans.isEmpty()) {
            LOG.info("{} ban(s) in force, from {}", bans.size(), file);
        }
    }

    /** {@code kind:value = until-millis-or-never <TAB> at-millis <TAB> by <TAB> reason}. */
    private static Ban parse(String key, String line) {
        int colon = key.indexOf(':');
        String[] f = line.split("\t", 4);
        return new Ban(Ban.Kind.of(key.substring(0, colon)), key.substring(colon + 1),
                f[0].equals("never") ? null : Instant.ofEpochMilli(Long.parseLong(f[0])), f[3], f[2],
                Instant.ofEpochMilli(Long.parseLong(f[1])));
    }

    private void save() {
        if (file == null) {
            return;
        }
        Properties p = new Properties();
        bans.forEach((key, b) -> p.setProperty(key, (b.until() == null ? "never" : String.valueOf(b.until().toEpochMilli()))
                + "\t" + b.at().toEpochMilli() + "\t" + b.by() + "\t" + b.reason().replace('\t', ' ')));
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "bans", ".tmp");
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(w, "Meridian's banned clients: kind:value = until (epoch ms or never), made at, by, reason");
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.error("Cannot write the ban list {}: {}; the change holds until the broker stops", file,
                    e.getMessage());
        }
    }
}
