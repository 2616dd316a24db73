package io.meridianmq.broker.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;

/**
 * Writes messages and sessions as the bytes that travel between cluster nodes, and reads them
 * back. The first byte is a format version, so that nodes of different releases refuse each
 * other's bytes clearly instead of misreading them.
 *
 * <p>Threading: stateless.
 */
final class ClusterCodec {

    private static final int MESSAGE_FORMAT = 1;
    private static final int SESSION_FORMAT = 1;

    private ClusterCodec() {
    }

    static byte[] message(Message m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + m.payload().length + m.topic().length());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MESSAGE_FORMAT);
            writeMessage(out, m.topic(), m.payload(), m.qos(), m.retain(), PropertiesInStore.toStore(m.properties()),
                    m.expiresAtMillis(), m.publisherId());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Message message(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            format(in, MESSAGE_FORMAT, "message");
            String topic = in.readUTF();
            byte[] payload = bytes(in);
            int qos = in.readByte();
            boolean retain = in.readBoolean();
            StoredProperties properties = properties(in);
            long expires = in.readLong();
            String publisher = optional(in);
            return new Message(topic, payload, qos, retain, PropertiesInStore.fromStore(properties), expires, publisher);
        } catch (IOException e) {
            throw new IllegalArgumentException("a forwarded message could not be read: " + e, e);
        }
    }

    static byte[] session(RecoveredSession s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(SESSION_FORMAT);
            out.writeUTF(s.clientId());
            out.writeLong(s.expirySeconds());
            out.writeLong(s.disconnectedAtMillis());
            writeOptional(out, s.owner());
            out.writeInt(s.subscriptions().size());
            for (StoredSubscription sub : s.subscriptions()) {
                out.writeUTF(sub.filter());
                writeOptional(out, sub.shareName());
                out.writeByte(sub.qos());
                out.writeBoolean(sub.noLocal());
                out.writeBoolean(sub.retainAsPublished());
                out.writeInt(sub.subscriptionId());
            }
            out.writeInt(s.messages().size());
            for (var e : s.messages().entrySet()) {
                StoredMessage m = e.getValue();
                out.writeLong(e.getKey());
                writeMessage(out, m.topic(), m.payload(), m.qos(), m.retain(), m.properties(), m.expiresAtMillis(),
                        m.publisherId());
                out.writeInt(m.subscriptionIds().length);
                for (int id : m.subscriptionIds()) {
                    out.writeInt(id);
                }
                out.writeShort(m.packetId());
                out.writeBoolean(m.released());
            }
            out.writeInt(s.incomingQos2().size());
            for (int id : s.incomingQos2()) {
                out.writeShort(id);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static RecoveredSession session(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            format(in, SESSION_FORMAT, "session");
            String clientId = in.readUTF();
            long expiry = in.readLong();
            long disconnectedAt = in.readLong();
            String owner = optional(in);
            int n = in.readInt();
            List<StoredSubscription> subscriptions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String filter = in.readUTF();
                String share = optional(in);
                subscriptions.add(new StoredSubscription(filter, share, in.readByte(), in.readBoolean(),
                        in.readBoolean(), in.readInt()));
            }
            n = in.readInt();
            SortedMap<Long, StoredMessage> messages = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                long sequence = in.readLong();
                String topic = in.readUTF();
                byte[] payload = bytes(in);
                int qos = in.readByte();
                boolean retain = in.readBoolean();
                StoredProperties properties = properties(in);
                long expires = in.readLong();
                String publisher = optional(in);
                int[] ids = new int[in.readInt()];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = in.readInt();
                }
                int packetId = in.readUnsignedShort();
                boolean released = in.readBoolean();
                messages.put(sequence, new StoredMessage(topic, payload, qos, retain, properties, expires, publisher,
                        ids, packetId, released));
            }
            n = in.readInt();
            Set<Integer> incoming = new HashSet<>();
            for (int i = 0; i < n; i++) {
                incoming.add(in.readUnsignedShort());
            }
            return new RecoveredSession(clientId, expiry, disconnectedAt, subscriptions, messages, incoming, null, owner);
        } catch (IOException e) {
            throw new IllegalArgumentException("a session handed over by another node could not be read: " + e, e);
        }
    }

    private static void writeMessage(DataOutputStream out, String topic, byte[] payload, int qos, boolean retain,
            StoredProperties p, long expiresAtMillis, String publisherId) throws IOException {
        out.writeUTF(topic);
        out.writeInt(payload.length);
        out.write(payload);
        out.writeByte(qos);
        out.writeBoolean(retain);
        out.writeBoolean(p.utf8Payload());
        writeOptional(out, p.contentType());
        writeOptional(out, p.responseTopic());
        if (p.correlationData() == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(p.correlationData().length);
            out.write(p.correlationData());
        }
        out.writeInt(p.userProperties().size());
        for (StoredProperties.UserProperty u : p.userProperties()) {
            out.writeUTF(u.name());
            out.writeUTF(u.value());
        }
        out.writeLong(expiresAtMillis);
        writeOptional(out, publisherId);
    }

    private static StoredProperties properties(DataInputStream in) throws IOException {
        boolean utf8 = in.readBoolean();
        String contentType = optional(in);
        String responseTopic = optional(in);
        int length = in.readInt();
        byte[] correlation = null;
        if (length >= 0) {
            correlation = new byte[length];
            in.readFully(correlation);
        }
        int n = in.readInt();
        if (!utf8 && contentType == null && responseTopic == null && correlation == null && n == 0) {
            return StoredProperties.NONE;
        }
        List<StoredProperties.UserProperty> user = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            user.add(new StoredProperties.UserProperty(in.readUTF(), in.readUTF()));
        }
        return new StoredProperties(utf8, contentType, responseTopic, correlation, user);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    private static void writeOptional(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String optional(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void format(DataInputStream in, int expected, String what) throws IOException {
        int format = in.readUnsignedByte();
        if (format != expected) {
            throw new IOException("the " + what + " is in format " + format + ", this node reads " + expected
                    + " (nodes of different Meridian releases in one cluster?)");
        }
    }
}
