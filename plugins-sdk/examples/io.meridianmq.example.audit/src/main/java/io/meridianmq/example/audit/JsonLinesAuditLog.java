package io.meridianmq.example.audit;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import io.meridianmq.sdk.client.ClientInfo;
import io.meridianmq.sdk.event.BrokerEventListener;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Writes one JSON object per line for every client event (connected, refused, subscribed,
 * unsubscribed, disconnected, message dropped) to {@code data/log/audit.jsonl}, rotating the file
 * to {@code .1} .. {@code .N} when it passes {@code max_bytes}. Events arrive on the broker's
 * event thread one at a time, so no locking is needed.
 */
@Component(configurationPid = "io.meridianmq.example.audit")
@Designate(ocd = JsonLinesAuditLog.Config.class)
public class JsonLinesAuditLog implements BrokerEventListener {

    @ObjectClassDefinition(name = "JSON lines audit log")
    @interface Config {
        @AttributeDefinition(description = "The audit file")
        String file() default "data/log/audit.jsonl";

        @AttributeDefinition(description = "Rotate when the file passes this size")
        long max_bytes() default 10 * 1024 * 1024;

        @AttributeDefinition(description = "How many rotated files to keep")
        int keep() default 5;
    }

    private Path file;
    private long maxBytes;
    private int keep;
    private Writer out;
    private long size;

    @Activate
    void activate(Config config) throws IOException {
        String karafBase = System.getProperty("karaf.base", ".");
        Path p = Paths.get(config.file());
        file = p.isAbsolute() ? p : Paths.get(karafBase).resolve(p);
        maxBytes = config.max_bytes();
        keep = Math.max(1, config.keep());
        open();
    }

    @Deactivate
    void deactivate() throws IOException {
        if (out != null) {
            out.close();
        }
    }

    private void open() throws IOException {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = keep - 1; i >= 1; i--) {
            Path from = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(from)) {
                Files.move(from, file.resolveSibling(file.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private void write(String event, ClientInfo client, String extra) {
        StringBuilder line = new StringBuilder(160).append("{\"time\":\"").append(Instant.now()).append("\",\"event\":\"")
                .append(event).append("\",\"client\":\"").append(json(client.clientId())).append("\",\"address\":\"")
                .append(client.remoteAddress().getAddress().getHostAddress()).append('"');
        client.username().ifPresent(u -> line.append(",\"user\":\"").append(json(u)).append('"'));
        line.append(extra).append("}\n");
        try {
            if (size + line.length() > maxBytes && size > 0) {
                rotate();
            }
            out.write(line.toString());
            out.flush();
            size += line.toString().getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write the audit log " + file, e);
        }
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    @Override
    public void clientConnected(ClientInfo client) {
        write("connected", client, ",\"protocol\":" + client.protocolLevel());
    }

    @Override
    public void authenticationFailed(ClientInfo client, String reason) {
        write("authentication_failed", client, ",\"reason\":\"" + json(reason) + "\"");
    }

    @Override
    public void subscribed(ClientInfo client, String topicFilter, int grantedQos) {
        write("subscribed", client, ",\"filter\":\"" + json(topicFilter) + "\",\"qos\":" + grantedQos);
    }

    @Override
    public void unsubscribed(ClientInfo client, String topicFilter) {
        write("unsubscribed", client, ",\"filter\":\"" + json(topicFilter) + "\"");
    }

    @Override
    public void clientDisconnected(ClientInfo client, String reason) {
        write("disconnected", client, ",\"reason\":\"" + json(reason) + "\"");
    }

    @Override
    public void messageDropped(ClientInfo client, String topic, String why) {
        write("message_dropped", client, ",\"topic\":\"" + json(topic) + "\",\"why\":\"" + json(why) + "\"");
    }
}
