package io.meridianmq.management.internal.api;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The REST API's keys: each a random 256-bit secret shown once when made, kept only as its
 * SHA-256 ({@code data/meridian/api-keys.properties}: {@code NAME = ROLE HASH}), made and revoked
 * with {@code meridian:apikey-create} / {@code apikey-revoke}. A presented key is hashed and its
 * hash compared in constant time with each kept one.
 *
 * <p>Threading: any thread; changes are serialized on this object and read the file anew.
 */
public final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "mk_";

    private final Path file;

    public ApiKeys(Path file) {
        this.file = file;
    }

    /** The keys' names with their roles ({@code admin} or {@code viewer}). */
    public synchronized Map<String, String> list() {
        Map<String, String> roles = new TreeMap<>();
        load().forEach((name, entry) -> roles.put(name.toString(), entry.toString().split(" ")[0]));
        return roles;
    }

    /** Makes a key for {@code name} with {@code role}; returns the secret, which is not kept. */
    public synchronized String create(String name, String role) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a key name is 1 to 64 letters, digits, '.', '_' or '-': '" + name + "'");
        }
        if (!role.equals("admin") && !role.equals("viewer")) {
            throw new IllegalArgumentException("a key's role is admin or viewer, not '" + role + "'");
        }
        Properties keys = load();
        if (keys.containsKey(name)) {
            throw new IllegalArgumentException("there is a key named '" + name + "' already (revoke it first)");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        keys.setProperty(name, role + " " + hash(key));
        save(keys);
        return key;
    }

    /** Revokes the key named {@code name}; false when there is none. */
    public synchronized boolean revoke(String name) throws IOException {
        Properties keys = load();
        if (keys.remove(name) == null) {
            return false;
        }
        save(keys);
        return true;
    }

    /** The caller a presented key belongs to, if it is one of the kept keys. */
    Optional<Caller> verify(String presented) {
        if (presented == null || !presented.startsWith(PREFIX)) {
            return Optional.empty();
        }
        byte[] hash = HexFormat.of().parseHex(hash(presented));
        Caller found = null;
        Properties keys;
        synchronized (this) {
            keys = load();
        }
        for (String name : keys.stringPropertyNames()) {
            String[] entry = keys.getProperty(name).split(" ");
            if (entry.length == 2 && MessageDigest.isEqual(hash, HexFormat.of().parseHex(entry[1]))) {
                found = new Caller("api key " + name, entry[0].equals("admin"));
            }
        }
        return Optional.ofNullable(found);
    }

    private static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private Properties load() {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the API keys " + file + ": " + e.getMessage(), e);
            }
        }
        return p;
    }

    private void save(Properties keys) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), "api-keys", ".tmp");
        try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
            keys.store(w, "Meridian's REST API keys: NAME = ROLE SHA-256 (the keys themselves are not kept)");
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
