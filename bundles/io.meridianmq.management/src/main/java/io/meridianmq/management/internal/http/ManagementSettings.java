package io.meridianmq.management.internal.http;

import java.util.Map;

import io.meridianmq.transport.tls.TlsContext;

/**
 * The management server's settings from {@code etc/io.meridianmq.management.cfg}: {@code host}
 * (default 127.0.0.1), {@code port} (default 8181, Karaf's usual HTTP port; 0 picks a free one),
 * and {@code tls = true} with the MQTT listeners' TLS settings ({@code certfile},
 * {@code keyfile}, {@code keystore}, {@code tls_version}, {@code ciphers}, {@code client_auth},
 * {@code cafile}, {@code crlfile}).
 *
 * @param tls the TLS context, or null for plain HTTP
 * @param source the configuration's file, for log lines
 */
record ManagementSettings(String host, int port, TlsContext tls, String source) {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8181;

    /**
     * Reads the settings.
     *
     * @throws IllegalArgumentException naming the setting and the file when one is invalid
     */
    static ManagementSettings from(Map<String, Object> config) {
        Object file = config.get("felix.fileinstall.filename");
        String source = file != null ? file.toString() : "etc/io.meridianmq.management.cfg";
        String host = string(config, "host", DEFAULT_HOST);
        if (host.isEmpty()) {
            throw new IllegalArgumentException(source + ": host is empty");
        }
        String rawPort = string(config, "port", String.valueOf(DEFAULT_PORT));
        int port;
        try {
            port = Integer.parseInt(rawPort);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": port = '" + rawPort + "' is not a whole number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(source + ": port = " + port + " is out of range [0..65535]");
        }
        String tls = string(config, "tls", "false").toLowerCase(java.util.Locale.ROOT);
        if (!tls.equals("true") && !tls.equals("false")) {
            throw new IllegalArgumentException(source + ": tls = '" + tls + "' is not true or false");
        }
        return new ManagementSettings(host, port, tls.equals("true") ? new TlsContext(config, source) : null, source);
    }

    private static String string(Map<String, Object> config, String key, String fallback) {
        Object v = config.get(key);
        return v == null ? fallback : v.toString().trim();
    }
}
