package io.meridianmq.sdk.topic;

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
        String[] p = pattern.split("/", -1);
        String[] f = filter.split("/", -1);
        if (filter.startsWith("$") && (p[0].equals("+") || p[0].equals("#"))) {
            return false;
        }
        int i = 0;
        for (; i < p.length; i++) {
            if (p[i].equals("#")) {
                return true;
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
}
