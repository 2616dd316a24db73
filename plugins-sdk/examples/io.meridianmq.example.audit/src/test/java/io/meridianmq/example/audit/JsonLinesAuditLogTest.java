package io.meridianmq.example.audit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.meridianmq.sdk.client.ClientInfo;

import org.junit.Test;

public class JsonLinesAuditLogTest {

    private static final ClientInfo CLIENT = new ClientInfo() {
        public String clientId() { return "dev\"1"; }
        public InetSocketAddress remoteAddress() { return new InetSocketAddress("127.0.0.1", 1); }
        public String listenerName() { return "test"; }
        public int protocolLevel() { return 5; }
        public Optional<String> username() { return Optional.of("alice"); }
    };

    @Test
    public void writesJsonLinesAndRotates() throws Exception {
        Path dir = Files.createTempDirectory("audit");
        Path file = dir.resolve("audit.jsonl");
        JsonLinesAuditLog log = new JsonLinesAuditLog();
        log.activate(new JsonLinesAuditLog.Config() {
            public String file() { return file.toString(); }
            public long max_bytes() { return 400; }
            public int keep() { return 2; }
            public Class<? extends Annotation> annotationType() { return JsonLinesAuditLog.Config.class; }
        });
        log.clientConnected(CLIENT);
        log.subscribed(CLIENT, "a/#", 1);
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0), lines.get(0).contains("\"event\":\"connected\",\"client\":\"dev\\\"1\""));
        assertTrue(lines.get(0).contains("\"user\":\"alice\""));
        for (int i = 0; i < 10; i++) {
            log.clientDisconnected(CLIENT, "DISCONNECT");
        }
        log.deactivate();
        assertTrue("rotated", Files.exists(dir.resolve("audit.jsonl.1")));
        assertTrue(Files.size(file) <= 400);
    }
}
