package io.meridianmq.sdk.topic;

import org.jspecify.annotations.Nullable;

/**
 * The MQTT rules for topic names (what a PUBLISH names) and topic filters (what a SUBSCRIBE
 * names, possibly with {@code +} and {@code #} wildcards).
 *
 * <p>Threading: stateless, safe from any thread. Nullness: arguments must not be {@code null}.
 *
 * @since 0.1
 */
public final class Topics {

    private Topics() {
    }

    /**
     * Whether {@code topic} is a valid topic name for PUBLISH: at least one character, no
     * wildcard characters, no U+0000.
     */
    public static boolean isValidTopicName(String topic) {
        if (topic.isEmpty()) {
            return false;
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '+' || c == '#' || c == '\u0000') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code filter} is a valid topic filter: at least one character; {@code +} only as a
     * whole level; {@code #} only as the whole last level; no U+0000.
     */
    public static boolean isValidTopicFilter(String filter) {
        int n = filter.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (c == '+' || c == '#') {
                boolean startsLevel = i == 0 || filter.charAt(i - 1) == '/';
                boolean endsLevel = i == n - 1 || filter.charAt(i + 1) == '/';
                if (!startsLevel || !endsLevel) {
                    return false;
                }
                if (c == '#' && i != n - 1) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code filter} holds a wildcard. */
    public static boolean hasWildcard(String filter) {
        return filter.indexOf('+') >= 0 || filter.indexOf('#') >= 0;
    }

    /**
     * Whether the valid topic filter {@code filter} matches the valid topic name {@code topic}.
     * Topics that start with {@code $} are not matched by a wildcard in the first level.
     */
    public static boolean matches(String filter, String topic) {
        if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
                && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fn = filter.length();
        int tn = topic.length();
        while (f < fn) {
            char fc = filter.charAt(f);
            if (fc == '#') {
                return true; // valid filters have '#' only as the whole last level
            }
            if (fc == '+') {
                // consume one level of the topic
                while (t < tn && topic.charAt(t) != '/') {
                    t++;
                }
                f++;
            } else {
                if (t >= tn) {
                    return endsWithParentWildcard(filter, f);
                }
                if (topic.charAt(t) != fc) {
                    return false;
                }
                f++;
                t++;
                continue;
            }
            // after '+': both must be at a level end
            if (f == fn) {
                return t == tn;
            }
            // filter continues with '/': the topic must too, or the rest is "/#"
            if (t >= tn) {
                return endsWithParentWildcard(filter, f);
            }
        }
        return t == tn;
    }

    /** "sport/#" matches "sport" too: true when the filter's rest from {@code f} is "/#". */
    private static boolean endsWithParentWildcard(String filter, int f) {
        return f + 2 == filter.length() && filter.charAt(f) == '/' && filter.charAt(f + 1) == '#';
    }

    /**
     * Whether {@code pattern} (a filter, e.g. from a permission rule) matches every topic that
     * {@code filter} can match; a topic name is a filter without wildcards. Use it to decide
     * whether a rule allows a SUBSCRIBE. A pattern starting with a wildcard never covers a
     * {@code $} topic (as in matching).
     *
     * @since 1.1
     */
    public static boolean covers(String pattern, String filter) {
        // a pattern that is no valid filter ('#' before the last level, "a+b") covers nothing:
        // its '#' or '+' must never act as a wildcard where MQTT would not let one stand
        if (!isValidTopicFilter(pattern) || filter.isEmpty()) {
            return false;
        }
        String[] p = pattern.split("/", -1);
        String[] f = filter.split("/", -1);
        if (filter.startsWith("$") && (p[0].equals("+") || p[0].equals("#"))) {
            return false;
        }
        int i = 0;
        for (; i < p.length; i++) {
            if (p[i].equals("#")) {
                return true; // valid: the last level
            }
            if (i >= f.length) {
                return false;
            }
            if (f[i].equals("#")) {
                return false; // the filter reaches further than the pattern
            }
            if (p[i].equals("+")) {
                continue;
            }
            if (!p[i].equals(f[i])) {
                return false;
            }
        }
        return i == f.length;
    }

    /**
     * Puts a client's user name and client id into a permission pattern ({@code %u} and
     * {@code %c}, as in Mosquitto's ACL {@code pattern} lines), literally: a value that is
     * empty or holds {@code +}, {@code #} or {@code /} would change the pattern's shape (client
     * id {@code #} would turn {@code devices/%c/#} into a rule for every device), so then the
     * answer is {@code null} and the pattern must match nothing for this client.
     *
     * @param pattern a topic filter with {@code %u} and/or {@code %c}
     * @param username the user name, or {@code null} for an anonymous client (a pattern with
     *        {@code %u} then matches nothing)
     * @param clientId the client id
     * @return the pattern for this client, or {@code null} when it must match nothing
     * @since 1.2
     */
    public static @Nullable String substitute(String pattern, @Nullable String username, String clientId) {
        boolean user = pattern.contains("%u");
        boolean client = pattern.contains("%c");
        if ((user && !isSafeLevel(username)) || (client && !isSafeLevel(clientId))) {
            return null;
        }
        String s = user ? pattern.replace("%u", username) : pattern;
        return client ? s.replace("%c", clientId) : s;
    }

    /**
     * Whether {@code value} can stand as exactly one topic level: not {@code null}, not empty, no
     * {@code +}, {@code #}, {@code /} or U+0000.
     *
     * @since 1.2
     */
    public static boolean isSafeLevel(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+' || c == '#' || c == '/' || c == '\u0000') {
                return false;
            }
        }
        return true;
    }
}
