package io.meridianmq.storage.mvstore.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.meridianmq.storage.RetainedMessage;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

/**
 * Our own compact binary form of the stored records. Each starts with a format byte so that a
 * later version can still read what an earlier one wrote.
 */
final class RecordCodec {

    private static final int FORMAT = 1;

    private RecordCodec() {
    }

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] encode(int sizeHint, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint + 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    private static <T> T decode(byte[] data, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT) {
                throw new IOException("unknown record format " + format);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new CorruptRecordException("unreadable record (" + data.length + " bytes): " + e.getMessage(), e);
        }
    }

    /** A record that cannot be read back. */
    static final class CorruptRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CorruptRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---- sessions ----

    static byte[] session(long expirySeconds, long disconnectedAtMillis, String owner) {
        return encode(32, out -> {
            out.writeLong(expirySeconds);
            out.writeLong(disconnectedAtMillis);
            writeNullable(out, owner);
        });
    }

    /** A session record; {@code owner} is null in records written before owners were kept. */
    record SessionRecord(long expirySeconds, long disconnectedAtMillis, String owner) {
    }

    static SessionRecord session(byte[] data) {
        return decode(data, in -> new SessionRecord(in.readLong(), in.readLong(),
                in.available() > 0 ? readNullable(in) : null));
    }

    // ---- subscriptions ----

    static byte[] subscription(StoredSubscription s) {
        return encode(s.filter().length(), out -> {
            out.writeUTF(s.filter());
            writeNullable(out, s.shareName());
            out.writeByte(s.qos());
            out.writeBoolean(s.noLocal());
            out.writeBoolean(s.retainAsPublished());
            out.writeInt(s.subscriptionId());
        });
    }

    static StoredSubscription subscription(byte[] data) {
        return decode(data, in -> new StoredSubscription(in.readUTF(), readNullable(in), in.readByte(), in.readBoolean(),
                in.readBoolean(), in.readInt()));
    }

    // ---- messages ----

    /** A stored message and the session it waits for. */
    record OwnedMessage(String clientId, StoredMessage message) {
    }

    static byte[] message(String clientId, StoredMessage m) {
        return encode(m.payload().length + m.topic().length() + clientId.length(), out -> {
            out.writeUTF(clientId);
            out.writeUTF(m.topic());
            writeBytes(out, m.payload());
            out.writeByte(m.qos());
            out.writeBoolean(m.retain());
            writeProperties(out, m.properties());
            out.writeLong(m.expiresAtMillis());
            writeNullable(out, m.publisherId());
            out.writeShort(m.subscriptionIds().length);
            for (int id : m.subscriptionIds()) {
                out.writeInt(id);
            }
        });
    }

    /** A stored message with the packet id and release state kept beside it. */
    static OwnedMessage message(byte[] data, long state) {
        return decode(data, in -> {
            String clientId = in.readUTF();
            String topic = in.readUTF();
            byte[] payload = readBytes(in);
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            StoredProperties properties = readProperties(in);
            long expiresAt = in.readLong();
            String publisher = readNullable(in);
            int[] ids = new int[in.readUnsignedShort()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = in.readInt();
            }
            return new OwnedMessage(clientId, new StoredMessage(topic, payload, qos, retain, properties, expiresAt,
                    publisher, ids, (int) (state >>> 1), (state & 1) != 0));
        });
    }

    /** One message of a segment. */
    record SegmentEntry(long sequence, OwnedMessage owned) {
    }

    /** Many messages in one record: the unit the message log writes per commit. */
    static byte[] segment(Map<Long, OwnedMessage> messages) {
        return encode(messages.size() * 160, out -> {
            out.writeInt(messages.size());
            for (Map.Entry<Long, OwnedMessage> e : messages.entrySet()) {
                out.writeLong(e.getKey());
                writeBytes(out, message(e.getValue().clientId(), e.getValue().message()));
            }
        });
    }

    static List<SegmentEntry> segment(byte[] data) {
        return decode(data, in -> {
            int n = in.readInt();
            if (n < 0) {
                throw new IOException("bad segment size " + n);
            }
            List<SegmentEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long sequence = in.readLong();
                entries.add(new SegmentEntry(sequence, message(readBytes(in), 0)));
            }
            return entries;
        });
    }

    static long messageState(int packetId, boolean released) {
        return ((long) packetId << 1) | (released ? 1 : 0);
    }

    // ---- wills ----

    static byte[] will(StoredWill w) {
        return encode(w.payload().length + w.topic().length(), out -> {
            out.writeUTF(w.topic());
            writeBytes(out, w.payload());
            out.writeByte(w.qos());
            out.writeBoolean(w.retain());
            writeProperties(out, w.properties());
            out.writeLong(w.messageExpirySeconds());
            out.writeLong(w.dueAtMillis());
            writeNullable(out, w.username());
        });
    }

    static StoredWill will(byte[] data) {
        return decode(data, in -> new StoredWill(in.readUTF(), readBytes(in), in.readByte(), in.readBoolean(),
                readProperties(in), in.readLong(), in.readLong(), readNullable(in)));
    }

    // ---- retained messages ----

    static byte[] retained(RetainedMessage m) {
        return encode(m.payload().length + m.topic().length(), out -> {
            out.writeUTF(m.topic());
            writeBytes(out, m.payload());
            out.writeByte(m.qos());
            writeProperties(out, m.properties());
            out.writeLong(m.expiresAtMillis());
        });
    }

    static RetainedMessage retained(byte[] data) {
        return decode(data, in -> new RetainedMessage(in.readUTF(), readBytes(in), in.readByte(), readProperties(in),
                in.readLong()));
    }

    // ---- parts ----

    private static void writeProperties(DataOutputStream out, StoredProperties p) throws IOException {
        out.writeBoolean(p.utf8Payload());
        writeNullable(out, p.contentType());
        writeNullable(out, p.responseTopic());
        if (p.correlationData() == null) {
            out.writeInt(-1);
        } else {
            writeBytes(out, p.correlationData());
        }
        out.writeShort(p.userProperties().size());
        for (StoredProperties.UserProperty u : p.userProperties()) {
            out.writeUTF(u.name());
            out.writeUTF(u.value());
        }
    }

    private static StoredProperties readProperties(DataInputStream in) throws IOException {
        boolean utf8 = in.readBoolean();
        String contentType = readNullable(in);
        String responseTopic = readNullable(in);
        int length = in.readInt();
        byte[] correlation = null;
        if (length >= 0) {
            correlation = new byte[length];
            in.readFully(correlation);
        }
        int n = in.readUnsignedShort();
        if (utf8 == false && contentType == null && responseTopic == null && correlation == null && n == 0) {
            return StoredProperties.NONE;
        }
        List<StoredProperties.UserProperty> user = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            user.add(new StoredProperties.UserProperty(in.readUTF(), in.readUTF()));
        }
        return new StoredProperties(utf8, contentType, responseTopic, correlation, user);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 268_435_455) {
            throw new IOException("bad length " + length);
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
