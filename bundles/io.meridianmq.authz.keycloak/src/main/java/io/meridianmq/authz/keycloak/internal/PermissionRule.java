package io.meridianmq.authz.keycloak.internal;

import java.util.Locale;

import io.meridianmq.sdk.topic.Topics;

/**
 * One line of the mapping: "holders of this role (or client role, or group) may read and/or
 * write these topics", e.g. {@code role sensor-writer write sensors/%u/#}. In the pattern
 * {@code %u} stands for the user name and {@code %c} for the client id.
 *
 * @param kind what the holder holds
 * @param name the role, {@code client:role} for a client role, or the group path ({@code /operators})
 * @param read whether the rule allows SUBSCRIBE
 * @param write whether the rule allows PUBLISH
 * @param pattern the topic filter, with {@code %u} and {@code %c}
 */
record PermissionRule(Kind kind, String name, boolean read, boolean write, String pattern) {

    enum Kind {
        ROLE("role"), CLIENT_ROLE("client-role"), GROUP("group");

        final String word;

        Kind(String word) {
            this.word = word;
        }
    }

    /** The grant a user must hold for this rule, as {@link UserGrants} spells grants. */
    String grant() {
        return kind.word + ":" + name;
    }

    /** Parses {@code <role|client-role|group> <name> <read|write|readwrite> <topic filter>}. */
    static PermissionRule parse(String key, String line) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length != 4) {
            throw new IllegalArgumentException(key + " = '" + line + "': expected '<role|client-role|group> <name> "
                    + "<read|write|readwrite> <topic filter>'");
        }
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.word.equals(parts[0].toLowerCase(Locale.ROOT))) {
                kind = k;
            }
        }
        if (kind == null) {
            throw new IllegalArgumentException(key + ": '" + parts[0] + "' is none of role, client-role, group");
        }
        if (kind == Kind.CLIENT_ROLE && parts[1].indexOf(':') <= 0) {
            throw new IllegalArgumentException(key + ": a client role is written client:role, e.g. meridian-app:admin");
        }
        String name = kind == Kind.GROUP && !parts[1].startsWith("/") ? "/" + parts[1] : parts[1];
        String access = parts[2].toLowerCase(Locale.ROOT);
        boolean read = access.equals("read") || access.equals("readwrite");
        boolean write = access.equals("write") || access.equals("readwrite");
        if (!read && !write) {
            throw new IllegalArgumentException(key + ": '" + parts[2] + "' is none of read, write, readwrite");
        }
        String probe = parts[3].replace("%u", "u").replace("%c", "c");
        if (!Topics.isValidTopicFilter(probe)) {
            throw new IllegalArgumentException(key + ": '" + parts[3] + "' is not a valid topic filter");
        }
        return new PermissionRule(kind, name, read, write, parts[3]);
    }

    /**
     * The pattern for one client, or null when the user name or client id would change the
     * pattern's shape (a '+', '#' or '/' in them must not widen a permission).
     */
    String patternFor(String username, String clientId) {
        return Topics.substitute(pattern, username, clientId);
    }

    @Override
    public String toString() {
        return kind.word + " " + name + " " + (read && write ? "readwrite" : read ? "read" : "write") + " " + pattern;
    }
}
