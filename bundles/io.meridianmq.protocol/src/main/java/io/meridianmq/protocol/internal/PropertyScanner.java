package io.meridianmq.protocol.internal;

import io.netty.buffer.ByteBuf;

/**
 * Reads the MQTT 5 property sections of a whole packet in place to find a property given more
 * than once, which the specification makes a Protocol Error and Netty's decoder silently
 * collapses. Only user properties may repeat (subscription identifiers may repeat only in a
 * PUBLISH from the server). Lengths that do not add up are left to the decoder to report.
 */
final class PropertyScanner {

    private PropertyScanner() {
    }

    /** The protocol level of a CONNECT body, or -1 if it cannot be read. */
    static int connectLevel(ByteBuf in, int body, int length) {
        if (length < 3) {
            return -1;
        }
        int nameLength = in.getUnsignedShort(body);
        int levelAt = body + 2 + nameLength;
        return levelAt < body + length ? in.getUnsignedByte(levelAt) : -1;
    }

    /** A description of the first repeated property, or {@code null}. */
    static String findDuplicate(ByteBuf in, int type, int flags, int body, int length) {
        int end = body + length;
        try {
            switch (type) {
                case 1: { // CONNECT
                    int p = body + 2 + in.getUnsignedShort(body); // protocol name
                    p += 1; // level
                    int connectFlags = in.getUnsignedByte(p);
                    p += 1 + 2; // flags, keep alive
                    int[] next = new int[1];
                    String dup = scan(in, p, end, next);
                    if (dup != null || (connectFlags & 0x04) == 0) {
                        return dup;
                    }
                    p = next[0];
                    p += 2 + in.getUnsignedShort(p); // client id
                    String willDup = scan(in, p, end, next);
                    return willDup == null ? null : willDup.replace("property", "will property");
                }
                case 3: { // PUBLISH
                    int p = body + 2 + in.getUnsignedShort(body);
                    if (((flags >>> 1) & 3) > 0) {
                        p += 2;
                    }
                    return scan(in, p, end, new int[1]);
                }
                case 4: case 5: case 6: case 7: // PUBACK .. PUBCOMP
                    return length > 3 ? scan(in, body + 3, end, new int[1]) : null;
                case 8: case 10: // SUBSCRIBE, UNSUBSCRIBE
                    return scan(in, body + 2, end, new int[1]);
                case 14: case 15: // DISCONNECT, AUTH
                    return length > 1 ? scan(in, body + 1, end, new int[1]) : null;
                default:
                    return null;
            }
        } catch (IndexOutOfBoundsException e) {
            return null; // malformed lengths: Netty's decoder reports them
        }
    }

    /** Scans one property section starting at its length; stores the position after it in next[0]. */
    private static String scan(ByteBuf in, int p, int end, int[] next) {
        int[] vbi = readVbi(in, p);
        int length = vbi[0];
        p = vbi[1];
        int stop = p + length;
        next[0] = stop;
        if (stop > end) {
            return null;
        }
        long seen = 0; // property ids are below 64
        while (p < stop) {
            int[] id = readVbi(in, p);
            int pid = id[0];
            p = id[1];
            if (pid <= 0 || pid >= 64) {
                return null; // unknown: the decoder reports it as malformed
            }
            if (pid != 38) {
                if ((seen & (1L << pid)) != 0) {
                    return "repeats property " + pid + " (0x" + Integer.toHexString(pid) + "), which may appear once";
                }
                seen |= 1L << pid;
            }
            switch (pid) {
                case 1: case 23: case 25: case 36: case 37: case 40: case 41: case 42:
                    p += 1;
                    break;
                case 19: case 33: case 34: case 35:
                    p += 2;
                    break;
                case 2: case 17: case 24: case 39:
                    p += 4;
                    break;
                case 11:
                    p = readVbi(in, p)[1];
                    break;
                case 3: case 8: case 9: case 18: case 21: case 22: case 26: case 28: case 31:
                    p += 2 + in.getUnsignedShort(p);
                    break;
                case 38:
                    p += 2 + in.getUnsignedShort(p);
                    p += 2 + in.getUnsignedShort(p);
                    break;
                default:
                    return null;
            }
        }
        return null;
    }

    private static int[] readVbi(ByteBuf in, int p) {
        int value = 0;
        int multiplier = 1;
        for (int i = 0; i < 4; i++) {
            int b = in.getUnsignedByte(p++);
            value += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0) {
                return new int[] {value, p};
            }
            multiplier *= 128;
        }
        throw new IndexOutOfBoundsException("variable byte integer longer than 4 bytes");
    }
}
