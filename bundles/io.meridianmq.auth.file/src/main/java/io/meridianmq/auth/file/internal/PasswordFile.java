package io.meridianmq.auth.file.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A password file in Mosquitto's format, one {@code user:hash} per line. Reads {@code $7$}
 * (PBKDF2-HMAC-SHA512: {@code $7$iterations$salt$hash}, as mosquitto_passwd writes) and the older
 * {@code $6$} (salted SHA-512); writes {@code $7$} with {@value #ITERATIONS} iterations, which
 * mosquitto reads too.
 */
final class PasswordFile {

    static final int ITERATIONS = 20_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] UNKNOWN_USER_SALT = new byte[12];

    /** One problem in the file, to report with its line number. */
    record Problem(int line, String what) {
    }

    private final Map<String, String> hashes;
    private final List<Problem> problems;

    private PasswordFile(Map<String, String> hashes, List<Problem> problems) {
        this.hashes = hashes;
        this.problems = problems;
    }

    static PasswordFile read(Path file) throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        if (!Files.exists(file)) {
            return new PasswordFile(hashes, problems);
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problems.add(new Problem(i + 1, "expected user:hash"));
                continue;
            }
            String hash = line.substring(colon + 1);
            if (!hash.startsWith("$7$") && !hash.startsWith("$6$")) {
                problems.add(new Problem(i + 1, "unknown hash format (expected $7$ or $6$ as mosquitto_passwd writes)"));
                continue;
            }
            hashes.put(line.substring(0, colon), hash);
        }
        return new PasswordFile(hashes, problems);
    }

    List<Problem> problems() {
        return problems;
    }

    int size() {
        return hashes.size();
    }

    boolean contains(String user) {
        return hashes.containsKey(user);
    }

    /** Whether {@code password} matches {@code user}'s entry (false for unknown users). */
    boolean verify(String user, byte[] password) {
        String hash = hashes.get(user);
        if (hash == null) {
            // the same work as for a known user, so that timing does not tell which users exist
            try {
                pbkdf2(password, UNKNOWN_USER_SALT, ITERATIONS, 64);
            } catch (GeneralSecurityException e) {
                // nothing to hide then
            }
            return false;
        }
        try {
            String[] parts = hash.split("\\$");
            if (hash.startsWith("$7$") && parts.length == 5) {
                int iterations = Integer.parseInt(parts[2]);
                byte[] salt = Base64.getDecoder().decode(parts[3]);
                byte[] expected = Base64.getDecoder().decode(parts[4]);
                return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations, expected.length));
            }
            if (hash.startsWith("$6$") && parts.length == 4) {
                byte[] salt = Base64.getDecoder().decode(parts[2]);
                byte[] expected = Base64.getDecoder().decode(parts[3]);
                MessageDigest sha = MessageDigest.getInstance("SHA-512");
                sha.update(password);
                sha.update(salt);
                return MessageDigest.isEqual(expected, sha.digest());
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
        return false;
    }

    /** A new {@code $7$} entry value for {@code password}. */
    static String hash(char[] password) {
        byte[] salt = new byte[12];
        RANDOM.nextBytes(salt);
        try {
            byte[] hash = pbkdf2(new String(password).getBytes(StandardCharsets.UTF_8), salt, ITERATIONS, 64);
            return "$7$" + ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                    + Base64.getEncoder().encodeToString(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every Java runtime", e);
        }
    }

    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations, int length)
            throws GeneralSecurityException {
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, length * 8);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    }

    /** Sets (adds or replaces) or, with a {@code null} password, removes a user; writes atomically. */
    static void update(Path file, String user, char[] password) throws IOException {
        if (user.isEmpty() || user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a user name must not be empty or contain ':'");
        }
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                : new ArrayList<>();
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(user + ":")) {
                found = true;
                if (password == null) {
                    lines.remove(i--);
                } else {
                    lines.set(i, user + ":" + hash(password));
                }
            }
        }
        if (!found && password != null) {
            lines.add(user + ":" + hash(password));
        }
        if (!found && password == null) {
            throw new IllegalArgumentException("no user '" + user + "' in " + file);
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, lines, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
