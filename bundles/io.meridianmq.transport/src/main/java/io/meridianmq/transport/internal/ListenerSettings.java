package io.meridianmq.transport.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of one listener. An unusable value stops only that listener, with a message naming
 * the file and key.
 */
record ListenerSettings(String name, String host, int port, String kind, String path, String source,
        boolean proxyProtocol, TrustedProxies trustedProxies, boolean identityAsUsername, boolean subjectAsUsername,
        java.util.Set<String> allowedOrigins) {

    boolean tls() {
        return kind.equals("mqtts") || kind.equals("wss");
    }

    boolean webSocket() {
        return kind.equals("ws") || kind.equals("wss");
    }

    static ListenerSettings from(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "configuration " + config.get("service.pid");
        String name = string(config, "name", defaultName(file));
        String host = string(config, "host", "127.0.0.1");
        String kind = string(config, "kind", "mqtt").toLowerCase(Locale.ROOT);
        if (!List.of("mqtt", "mqtts", "ws", "wss").contains(kind)) {
            throw new IllegalArgumentException(source + ": kind = " + kind + " is not supported (mqtt, mqtts, ws, wss)");
        }
        String path = string(config, "path", "/mqtt");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(source + ": path = " + path + " must start with /");
        }
        Object rawPort = config.get("port");
        int port = 1883;
        if (rawPort != null) {
            try {
                port = Integer.parseInt(rawPort.toString().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ": port = '" + rawPort + "' is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(source + ": port = " + port + " is out of range [0..65535]");
            }
        }
        boolean proxy = bool(config, source, "proxy_protocol");
        TrustedProxies trusted = TrustedProxies.parse(string(config, "proxy_protocol_trusted", TrustedProxies.DEFAULT),
                source);
        boolean identity = bool(config, source, "use_identity_as_username");
        boolean subject = bool(config, source, "use_subject_as_username");
        if ((identity || subject) && !(kind.equals("mqtts") || kind.equals("wss"))) {
            throw new IllegalArgumentException(source + ": use_identity_as_username / use_subject_as_username need a "
                    + "TLS listener (kind mqtts or wss) with client_auth");
        }
        java.util.Set<String> origins = origins(string(config, "allowed_origins", "*"), source);
        if (origins != null && !kind.startsWith("ws")) {
            throw new IllegalArgumentException(source + ": allowed_origins applies to WebSocket listeners (kind ws or wss)");
        }
        return new ListenerSettings(name, host, port, kind, path, source, proxy, trusted, identity, subject, origins);
    }

    /**
     * The web origins ({@code scheme://host[:port]}) whose pages may open WebSocket connections,
     * lower case; null for any ({@code *}, the default).
     */
    private static java.util.Set<String> origins(String value, String source) {
        if (value.equals("*")) {
            return null;
        }
        java.util.Set<String> origins = new java.util.LinkedHashSet<>();
        for (String o : value.split(",")) {
            String origin = o.trim().toLowerCase(Locale.ROOT);
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.matches("https?://[^/\\s]+")) {
                throw new IllegalArgumentException(source + ": allowed_origins entry '" + o.trim()
                        + "' is not an origin like https://dashboard.example.com (scheme, host, optional port)");
            }
            origins.add(origin);
        }
        return java.util.Set.copyOf(origins);
    }

    private static boolean bool(Map<String, Object> config, String source, String key) {
        Object v = config.get(key);
        if (v == null) {
            return false;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(source + ": " + key + " = '" + v + "' is not true or false");
    }

    private static String string(Map<String, Object> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null || v.toString().isBlank() ? fallback : v.toString().trim();
    }

    /** etc/io.meridianmq.listener-default.cfg is the listener "default". */
    private static String defaultName(Object file) {
        if (file == null) {
            return "listener";
        }
        String f = file.toString();
        int dash = f.lastIndexOf("io.meridianmq.listener-");
        if (dash < 0) {
            return "listener";
        }
        String n = f.substring(dash + "io.meridianmq.listener-".length());
        return n.endsWith(".cfg") ? n.substring(0, n.length() - 4) : n;
    }
}
