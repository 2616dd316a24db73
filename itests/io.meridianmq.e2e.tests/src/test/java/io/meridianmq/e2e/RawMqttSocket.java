package io.meridianmq.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A plain socket that writes whatever bytes a test gives it: for malformed and hostile packets
 * only. Everything well-formed is tested with real clients.
 */
final class RawMqttSocket implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;

    RawMqttSocket(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
    }

    /** The local port, which the broker names in its log lines about this connection. */
    int localPort() {
        return socket.getLocalPort();
    }

    RawMqttSocket send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
        return this;
    }

    RawMqttSocket send(int... bytes) throws IOException {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return send(b);
    }

    /** Reads one whole packet; returns {@code null} if the broker closed the connection. */
    byte[] readPacket() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(first);
        int length = 0;
        int multiplier = 1;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                return null;
            }
            packet.write(b);
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0);
        for (int i = 0; i < length; i++) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            packet.write(c);
        }
        return packet.toByteArray();
    }

    /** Waits (up to the socket timeout) until the broker closes the connection, skipping packets. */
    boolean awaitClosed() throws IOException {
        try {
            while (readPacket() != null) {
                // whatever it still sent before closing
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the broker: closed too
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- packet builders ----

    static byte[] connect(String protocolName, int level, int connectFlags, String clientId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, protocolName);
        body.write(level);
        body.write(connectFlags);
        body.write(0);
        body.write(60); // keep alive
        writeString(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    static byte[] connect(String clientId) {
        return connect("MQTT", 4, 0x02, clientId);
    }

    static byte[] publish(int firstByte, byte[] topicUtf8, int packetId, String payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(topicUtf8.length >> 8);
        body.write(topicUtf8.length & 0xFF);
        body.writeBytes(topicUtf8);
        if (((firstByte >> 1) & 3) > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(firstByte, body.toByteArray());
    }

    static byte[] subscribe(int firstByte, int packetId, String filter, int qos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        writeString(body, filter);
        body.write(qos);
        return packet(firstByte, body.toByteArray());
    }

    /** An MQTT 5 CONNECT (clean start, keep alive 60) with the given raw property bytes. */
    static byte[] connect5(String clientId, byte[] properties) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(5);
        body.write(0x02);
        body.write(0);
        body.write(60);
        writeVbi(body, properties.length);
        body.writeBytes(properties);
        writeString(body, clientId);
        return packet(0x10, body.toByteArray());
    }

    /** An MQTT 5 PUBLISH with the given raw property bytes. */
    static byte[] publish5(int firstByte, String topic, int packetId, byte[] properties, String payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        if (((firstByte >> 1) & 3) > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        writeVbi(body, properties.length);
        body.writeBytes(properties);
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(firstByte, body.toByteArray());
    }

    /** An MQTT 5 SUBSCRIBE of one filter with the given raw property bytes. */
    static byte[] subscribe5(int packetId, byte[] properties, String filter, int options) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        writeVbi(body, properties.length);
        body.writeBytes(properties);
        writeString(body, filter);
        body.write(options);
        return packet(0x82, body.toByteArray());
    }

    /** Property bytes from id/value pieces: ints are written as single bytes. */
    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /** A UTF-8 string property: id, two length bytes, the text. */
    static byte[] stringProperty(int id, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(id);
        writeString(out, value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void writeVbi(ByteArrayOutputStream out, int value) {
        do {
            int digit = value % 128;
            value /= 128;
            out.write(value > 0 ? digit | 0x80 : digit);
        } while (value > 0);
    }

    /** The reason code of the next packet if it is a DISCONNECT (type 14), else fails. */
    int awaitDisconnectReason() throws IOException {
        while (true) {
            byte[] p = readPacket();
            if (p == null) {
                throw new AssertionError("the broker closed the connection without DISCONNECT");
            }
            if ((p[0] & 0xFF) == 0xE0) {
                return p.length > 2 ? p[2] & 0xFF : 0;
            }
        }
    }

    /** The reason code of the CONNACK that answers an MQTT 5 CONNECT. */
    int connackReason() throws IOException {
        byte[] p = readPacket();
        if (p == null || (p[0] & 0xFF) != 0x20) {
            throw new AssertionError("expected CONNACK");
        }
        return p[3] & 0xFF;
    }

    static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(firstByte);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            p.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        p.writeBytes(body);
        return p.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.writeBytes(b);
    }
}
