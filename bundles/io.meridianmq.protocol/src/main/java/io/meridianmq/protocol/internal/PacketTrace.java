package io.meridianmq.protocol.internal;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttPublishMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traces one client's packets on demand: while a client id is traced, every packet it sends and
 * receives goes, decoded, to {@code data/log/trace-CLIENT.log}, so that an operator can debug
 * one device without debug logging for all. The event loops only hand lines to a bounded queue;
 * one thread of its own ({@code meridian-trace}) writes them, so a slow disk never holds a
 * network thread (lines beyond the queue are dropped and counted in the file).
 *
 * <p>Threading: any thread.
 */
final class PacketTrace {

    private static final Logger LOG = LoggerFactory.getLogger(PacketTrace.class);
    private static final int QUEUE = 10_000;
    private static final int PAYLOAD_SHOWN = 256;

    /** A line for a client's file. */
    private record Line(String clientId, String text) {
    }

    private final Path directory;
    private final ConcurrentHashMap<String, Instant> traced = new ConcurrentHashMap<>();
    private final BlockingQueue<Line> lines = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong droppedLines = new AtomicLong();
    private volatile Thread writer;

    PacketTrace(Path directory) {
        this.directory = directory;
    }

    /** Traces {@code clientId} for {@code duration}; returns the file its lines go to. */
    Path start(String clientId, Duration duration) {
        traced.put(clientId, Instant.now().plus(duration));
        startWriter();
        Path file = file(clientId);
        line(clientId, "trace started for " + duration.toMinutes() + " minute(s)");
        LOG.info("Tracing client '{}' for {} minute(s) into {}", clientId, duration.toMinutes(), file);
        return file;
    }

    /** Whether {@code clientId}'s packets are traced now. */
    boolean traces(String clientId) {
        if (traced.isEmpty() || clientId == null) {
            return false;
        }
        Instant until = traced.get(clientId);
        if (until == null) {
            return false;
        }
        if (Instant.now().isAfter(until)) {
            if (traced.remove(clientId, until)) {
                line(clientId, "trace ended");
            }
            return false;
        }
        return true;
    }

    /** The clients traced now, with when each trace ends. */
    Map<String, Instant> active() {
        traced.keySet().forEach(this::traces); // forgets the ended ones
        return new TreeMap<>(traced);
    }

    /** One packet {@code direction} ("in" or "out") of a traced client. */
    void packet(String clientId, String direction, MqttMessage message) {
        StringBuilder b = new StringBuilder(direction).append(' ').append(message.fixedHeader().messageType())
                .append(' ').append(message.fixedHeader()).append(' ').append(message.variableHeader());
        if (message instanceof MqttPublishMessage p) {
            ByteBuf payload = p.payload();
            int n = Math.min(payload.readableBytes(), PAYLOAD_SHOWN);
            b.append(" payload(").append(payload.readableBytes()).append(" bytes)=")
                    .append(payload.toString(payload.readerIndex(), n, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "."));
            if (n < payload.readableBytes()) {
                b.append("...");
            }
        }
        line(clientId, b.toString());
    }

    private void line(String clientId, String text) {
        if (!lines.offer(new Line(clientId, Instant.now() + " " + text))) {
            droppedLines.incrementAndGet();
        }
    }

    Path file(String clientId) {
        return directory.resolve("trace-" + clientId.replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
    }

    private synchronized void startWriter() {
        if (writer != null) {
            return;
        }
        Thread t = new Thread(this::write, "meridian-trace");
        t.setDaemon(true);
        writer = t;
        t.start();
    }

    /** Stops the writer once what is queued is written. */
    synchronized void stop() {
        Thread t = writer;
        writer = null;
        if (t != null) {
            t.interrupt(); // it only waits on the queue here: no store or file channel to break
        }
    }

    private void write() {
        while (writer == Thread.currentThread()) {
            try {
                Line first = lines.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                java.util.List<Line> batch = new java.util.ArrayList<>();
                batch.add(first);
                lines.drainTo(batch, 1000);
                append(batch);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void append(java.util.List<Line> batch) {
        long dropped = droppedLines.getAndSet(0);
        Map<String, StringBuilder> byClient = new TreeMap<>();
        for (Line l : batch) {
            byClient.computeIfAbsent(l.clientId(), k -> new StringBuilder()).append(l.text()).append('\n');
        }
        for (Map.Entry<String, StringBuilder> e : byClient.entrySet()) {
            if (dropped > 0) {
                e.getValue().append(Instant.now()).append(" (").append(dropped)
                        .append(" trace line(s) dropped: the trace queue was full)\n");
            }
            try {
                Files.createDirectories(directory);
                try (Writer w = Files.newBufferedWriter(file(e.getKey()), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    w.write(e.getValue().toString());
                }
            } catch (IOException failed) {
                LOG.warn("Cannot write the trace of client '{}': {}", e.getKey(), failed.getMessage());
            }
        }
    }
}
