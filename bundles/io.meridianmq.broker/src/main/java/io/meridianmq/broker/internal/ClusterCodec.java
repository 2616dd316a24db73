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

import io.meridianmq.broker.WillMessage;
import io.meridianmq.storage.RecoveredSession;
import io.meridianmq.storage.StoredMessage;
import io.meridianmq.storage.StoredProperties;
import io.meridianmq.storage.StoredSubscription;
import io.meridianmq.storage.StoredWill;

/**
 * Writes messages and sessions as the bytes that travel between cluster nodes, and reads them
 * back. The first byte is a format version, so that nodes of different releases refuse each
 * other's bytes clearly instead of misreading them.
 *
 * <p>Threading: stateless.
 */
final class ClusterCodec {

    private static final int MESSAGE_FORMAT = 1;
    private static final int SESSION_FORMAT = 2;
    private static final int WILL_FORMAT = 3;

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
            Fields f = fields(in);
            return new Message(f.topic, f.payload, f.qos, f.retain, PropertiesInStore.fromStore(f.properties),
                    f.expires, f.publisher);
        } catch (IOException e) {
            throw new IllegalArgumentException("a forwarded message could not be read: " + e, e);
        }
    }

    static byte[] handed(HandedSession h) {
        RecoveredSession s = h.session();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(SESSION_FORMAT);
            out.writeUTF(s.clientId());
            out.writeLong(s.expirySeconds());
            out.writeLong(s.disconnectedAtMillis());
            writeOptional(out, s.owner());
            out.writeInt(s.subscriptions().size());
            for (StoredSubscription sub : s.subscriptions()) {
                out.write(subscription(sub));
            }
            out.writeInt(s.messages().size());
            for (var e : s.messages().entrySet()) {
                out.writeLong(e.getKey());
                out.write(stored(e.getValue()));
                writeOptional(out, h.messageIds().get(e.getKey()));
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

    static HandedSession handed(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            format(in, SESSION_FORMAT, "session");
            String clientId = in.readUTF();
            long expiry = in.readLong();
            long disconnectedAt = in.readLong();
            String owner = optional(in);
            int n = in.readInt();
            List<StoredSubscription> subscriptions = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                subscriptions.add(storedSubscription(in));
            }
            n = in.readInt();
            SortedMap<Long, StoredMessage> messages = new TreeMap<>();
            java.util.Map<Long, String> ids = new java.util.HashMap<>();
            for (int i = 0; i < n; i++) {
                long sequence = in.readLong();
                messages.put(sequence, storedMessage(in));
                String id = optional(in);
                if (id != null) {
                    ids.put(sequence, id);
                }
            }
            n = in.readInt();
            Set<Integer> incoming = new HashSet<>();
            for (int i = 0; i < n; i++) {
                incoming.add(in.readUnsignedShort());
            }
            return new HandedSession(new RecoveredSession(clientId, expiry, disconnectedAt, subscriptions, messages,
                    incoming, null, owner), ids);
        } catch (IOException e) {
            throw new IllegalArgumentException("a session handed over by another node could not be read: " + e, e);
        }
    }

    /** A connected client's will as the cluster keeps it, with what deciding it elsewhere needs. */
    record LiveWill(WillMessage will, String username, long sessionExpirySeconds) {
    }

    static byte[] will(LiveWill live) {
        WillMessage w = live.will();
        return write(out -> {
            out.writeByte(WILL_FORMAT);
            // the expiry field carries the will's expiry interval, the publisher field its owner's user name
            writeMessage(out, w.topic(), w.payload(), w.qos(), w.retain(), PropertiesInStore.toStore(w.properties()),
                    w.messageExpirySeconds(), live.username());
            out.writeLong(w.delaySeconds());
            out.writeLong(live.sessionExpirySeconds());
        });
    }

    static LiveWill will(byte[] bytes) {
        try (DataInputStream in = in(bytes)) {
            format(in, WILL_FORMAT, "will");
            Fields f = fields(in); // expires: the will's expiry interval; publisher: its owner's user name
            long delay = in.readLong();
            long sessionExpiry = in.readLong();
            return new LiveWill(new WillMessage(f.topic, f.payload, f.qos, f.retain,
                    PropertiesInStore.fromStore(f.properties), delay, f.expires), f.publisher, sessionExpiry);
        } catch (IOException e) {
            throw new IllegalArgumentException("a will kept by the cluster could not be read: " + e, e);
        }
    }

    // ---- the entries of a session's copy in the cluster (ReplicaKeys) ----

    /** Writes entries into a byte array. */
    private interface Writes {
        void to(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Writes writes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writes.to(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] header(long expirySeconds, long disconnectedAtMillis, String owner) {
        return write(out -> {
            out.writeLong(expirySeconds);
            out.writeLong(disconnectedAtMillis);
            writeOptional(out, owner);
        });
    }

    static byte[] subscription(StoredSubscription sub) {
        return write(out -> {
            out.writeUTF(sub.filter());
            writeOptional(out, sub.shareName());
            out.writeByte(sub.qos());
            out.writeBoolean(sub.noLocal());
            out.writeBoolean(sub.retainAsPublished());
            out.writeInt(sub.subscriptionId());
        });
    }

    static byte[] stored(StoredMessage m) {
        return write(out -> {
            writeMessage(out, m.topic(), m.payload(), m.qos(), m.retain(), m.properties(), m.expiresAtMillis(),
                    m.publisherId());
            out.writeInt(m.subscriptionIds().length);
            for (int id : m.subscriptionIds()) {
                out.writeInt(id);
            }
            out.writeShort(m.packetId());
            out.writeBoolean(m.released());
        });
    }

    static byte[] storedWill(StoredWill w) {
        return write(out -> {
            // the expiry field carries the will's expiry interval, the publisher field its owner's user name
            writeMessage(out, w.topic(), w.payload(), w.qos(), w.retain(), w.properties(), w.messageExpirySeconds(),
                    w.username());
            out.writeLong(w.dueAtMillis());
        });
    }

    private static StoredWill storedWill(DataInputStream in) throws IOException {
        Fields f = fields(in); // expires: the will's expiry interval; publisher: its owner's user name
        return new StoredWill(f.topic, f.payload, f.qos, f.retain, f.properties, f.expires, in.readLong(),
                f.publisher);
    }

    static byte[] delivery(int packetId, boolean released) {
        return write(out -> {
            out.writeShort(packetId);
            out.writeBoolean(released);
        });
    }

    /**
     * Rebuilds a session from the entries of its copy in the cluster (its node is gone), as it
     * was when the last acknowledged change was confirmed; null when there is no header.
     */
    static RecoveredSession replica(String clientId, java.util.Map<String, byte[]> entries) {
        byte[] header = entries.get(ReplicaKeys.SESSION);
        if (header == null) {
            return null;
        }
        try {
            DataInputStream h = in(header);
            long expiry = h.readLong();
            long disconnectedAt = h.readLong();
            String owner = optional(h);
            List<StoredSubscription> subscriptions = new ArrayList<>();
            SortedMap<Long, StoredMessage> messages = new TreeMap<>();
            Set<Integer> incoming = new HashSet<>();
            for (var e : entries.entrySet()) {
                String key = e.getKey();
                DataInputStream in = in(e.getValue());
                if (key.startsWith(ReplicaKeys.SUBSCRIPTION)) {
                    subscriptions.add(storedSubscription(in));
                } else if (key.startsWith(ReplicaKeys.MESSAGE)) {
                    long sequence = Long.parseLong(key.substring(ReplicaKeys.MESSAGE.length()));
                    StoredMessage m = storedMessage(in);
                    byte[] state = entries.get(ReplicaKeys.delivery(sequence));
                    if (state != null) {
                        DataInputStream d = in(state);
                        m = new StoredMessage(m.topic(), m.payload(), m.qos(), m.retain(), m.properties(),
                                m.expiresAtMillis(), m.publisherId(), m.subscriptionIds(), d.readUnsignedShort(),
                                d.readBoolean());
                    }
                    messages.put(sequence, m);
                } else if (key.startsWith(ReplicaKeys.INCOMING_QOS2)) {
                    incoming.add(Integer.parseInt(key.substring(ReplicaKeys.INCOMING_QOS2.length())));
                }
            }
            byte[] will = entries.get(ReplicaKeys.WILL);
            return new RecoveredSession(clientId, expiry, disconnectedAt, subscriptions, messages, incoming,
                    will == null ? null : storedWill(in(will)), owner);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the cluster's copy of the session of '" + clientId
                    + "' could not be read: " + e, e);
        }
    }

    private static DataInputStream in(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    private static StoredSubscription storedSubscription(DataInputStream in) throws IOException {
        String filter = in.readUTF();
        String share = optional(in);
        return new StoredSubscription(filter, share, in.readByte(), in.readBoolean(), in.readBoolean(), in.readInt());
    }

    private static StoredMessage storedMessage(DataInputStream in) throws IOException {
        Fields f = fields(in);
        int[] ids = new int[in.readInt()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = in.readInt();
        }
        int packetId = in.readUnsignedShort();
        boolean released = in.readBoolean();
        return new StoredMessage(f.topic, f.payload, f.qos, f.retain, f.properties, f.expires, f.publisher, ids,
                packetId, released);
    }

    /** What {@link #writeMessage} wrote, read back. */
    private record Fields(String topic, byte[] payload, int qos, boolean retain, StoredProperties properties,
            long expires, String publisher) {
    }

    private static Fields fields(DataInputStream in) throws IOException {
        String topic = in.readUTF();
        byte[] payload = bytes(in);
        int qos = in.readByte();
        boolean retain = in.readBoolean();
        StoredProperties properties = properties(in);
        long expires = in.readLong();
        return new Fields(topic, payload, qos, retain, properties, expires, optional(in));
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
