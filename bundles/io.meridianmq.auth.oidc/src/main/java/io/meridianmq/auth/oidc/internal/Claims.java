package io.meridianmq.auth.oidc.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads claims by dotted path ({@code realm_access.roles}, {@code resource_access.broker.roles})
 * from a token's claims as parsed JSON (maps, lists, strings).
 */
final class Claims {

    private Claims() {
    }

    /** The value at {@code path}, or null. A key that itself contains dots is found too. */
    static Object at(Map<String, Object> claims, String path) {
        if (claims.containsKey(path)) {
            return claims.get(path);
        }
        int dot = path.indexOf('.');
        while (dot > 0) {
            Object head = claims.get(path.substring(0, dot));
            if (head instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> nested = (Map<String, Object>) m;
                Object found = at(nested, path.substring(dot + 1));
                if (found != null) {
                    return found;
                }
            }
            dot = path.indexOf('.', dot + 1);
        }
        return null;
    }

    /** The string at {@code path}, or null when absent or not a string. */
    static String string(Map<String, Object> claims, String path) {
        Object v = at(claims, path);
        return v instanceof String s ? s : null;
    }

    /**
     * The strings at {@code path}: a JSON array of strings, or one string split at spaces (the
     * {@code scope} claim's form).
     */
    static List<String> strings(Map<String, Object> claims, String path) {
        Object v = at(claims, path);
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
        } else if (v instanceof String s) {
            for (String part : s.split(" ")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }
}
