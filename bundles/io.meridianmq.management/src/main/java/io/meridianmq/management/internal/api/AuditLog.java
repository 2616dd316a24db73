package io.meridianmq.management.internal.api;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made through the REST API, one JSON object per line in {@code data/log/audit.jsonl}:
 * when, who, what (method and path), the outcome's status and a detail.
 *
 * <p>Threading: the management server's thread (one writer); appends are synchronized.
 */
final class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final Path file;
    private final ObjectMapper json;

    AuditLog(Path file, ObjectMapper json) {
        this.file = file;
        this.json = json;
    }

    synchronized void record(Caller who, String method, String path, int status, String detail) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("who", who.name());
        line.put("action", method + " " + path);
        line.put("status", status);
        line.put("detail", detail);
        try {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                w.write(json.writeValueAsString(line));
                w.write('\n');
            }
        } catch (JsonProcessingException e) {
            LOG.error("Cannot write an audit line for {} {}", method, path, e);
        } catch (IOException e) {
            LOG.error("Cannot write the audit log {}: {} (the change was made: {} {} by {})", file, e.getMessage(),
                    method, path, who.name());
        }
    }
}
