package io.meridianmq.protocol.internal;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Cuts the byte stream into whole MQTT packets for Netty's decoder, and checks on the way what
 * that decoder does not: the packet type, the reserved flag bits (MQTT 3.1.1 section 2.2.2 and
 * 5.0 section 2.1.3; Netty silently clears wrong ones, the specification says close), the
 * remaining length encoding (at most four bytes), the maximum packet size (checked as soon as the
 * length is known, before anything is buffered: {@code max_connect_packet_size} until the
 * connection is accepted, so an unauthenticated client cannot make the broker buffer more than
 * that, {@code max_packet_size} after) and, for MQTT 5, duplicated properties.
 *
 * <p>A frame is a retained slice of the input: no bytes are copied.
 */
final class PacketFramer extends ByteToMessageDecoder {

    /**
     * Set on a connection whose CONNECT carried the bridge bit (protocol level 0x83 or 0x84,
     * Mosquitto's {@code try_private}): its subscriptions are no-local and retain-as-published, so
     * that what it sends never comes back to it and retained messages keep their flag.
     */
    static final io.netty.util.AttributeKey<Boolean> BRIDGE = io.netty.util.AttributeKey.valueOf("meridian.bridge");

    private final int maxPacketSize;
    /** The limit in force: the CONNECT limit until {@link #accepted()}. Event loop. */
    private int limit;
    private boolean failed;
    private boolean v5;

    PacketFramer(int maxConnectPacketSize, int maxPacketSize) {
        this.limit = maxConnectPacketSize;
        this.maxPacketSize = maxPacketSize;
    }

    /** The client is accepted (CONNACK 0): from now on {@code max_packet_size} applies. */
    void accepted() {
        limit = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed || !ctx.channel().isActive()) {
            // what follows a malformed packet, or arrives after the connection was ended, is not looked at
            in.skipBytes(in.readableBytes());
            return;
        }
        // one packet per call: it is handled before the next is checked, so that bytes after a
        // packet that ends the connection are dropped rather than judged (found by PacketFuzzTest)
        if (in.isReadable()) {
            int start = in.readerIndex();
            int first = in.getUnsignedByte(start);
            String problem = checkFlags(first);
            if (problem != null) {
                fail(in, problem);
                return;
            }
            int length = 0;
            int multiplier = 1;
            int lengthBytes = 0;
            while (true) {
                if (start + 1 + lengthBytes >= in.writerIndex()) {
                    return; // the length is not complete yet
                }
                int b = in.getUnsignedByte(start + 1 + lengthBytes);
                lengthBytes++;
                length += (b & 0x7F) * multiplier;
                if ((b & 0x80) == 0) {
                    break;
                }
                if (lengthBytes == 4) {
                    fail(in, "remaining length encoded in more than 4 bytes");
                    return;
                }
                multiplier *= 128;
            }
            long packetSize = 1L + lengthBytes + length;
            if (packetSize > limit) {
                fail(in, "packet of " + packetSize + " bytes exceeds " + (limit == maxPacketSize ? "max_packet_size "
                        : "max_connect_packet_size (before CONNACK) ") + limit + " (" + typeName(first >>> 4) + ")");
                return;
            }
            if (in.readableBytes() < packetSize) {
                return; // wait for the rest of the packet
            }
            int type = first >>> 4;
            int bodyStart = start + 1 + lengthBytes;
            if (type == 1) {
                int level = PropertyScanner.connectLevel(in, bodyStart, length);
                if (level == 0x83 || level == 0x84) {
                    // a bridge (Mosquitto's try_private): the level's top bit says so; Netty's
                    // decoder knows only plain levels, so the bit is taken off here and remembered
                    in.setByte(bodyStart + 2 + in.getUnsignedShort(bodyStart), level & 0x7F);
                    ctx.channel().attr(BRIDGE).set(Boolean.TRUE);
                }
                v5 = level == 5;
            }
            if (v5) {
                String duplicate = PropertyScanner.findDuplicate(in, type, first & 0x0F, bodyStart, length);
                if (duplicate != null) {
                    failed = true;
                    in.skipBytes(in.readableBytes());
                    throw new ProtocolErrorException(typeName(type) + " " + duplicate);
                }
            }
            out.add(in.readRetainedSlice((int) packetSize));
        }
    }

    private void fail(ByteBuf in, String problem) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new MalformedPacketException(problem);
    }

    private static String checkFlags(int b) {
        int type = b >>> 4;
        int flags = b & 0x0F;
        switch (type) {
            case 0:
                return "reserved packet type 0";
            case 3: // PUBLISH
                int qos = (flags >>> 1) & 0x3;
                if (qos == 3) {
                    return "PUBLISH with QoS 3";
                }
                if (qos == 0 && (flags & 0x8) != 0) {
                    return "PUBLISH with QoS 0 and DUP set";
                }
                return null;
            case 6: // PUBREL
            case 8: // SUBSCRIBE
            case 10: // UNSUBSCRIBE
                return flags == 0x2 ? null
                        : typeName(type) + " with reserved flag bits " + Integer.toBinaryString(flags) + " (must be 0010)";
            default:
                return flags == 0 ? null
                        : typeName(type) + " with reserved flag bits " + Integer.toBinaryString(flags) + " set (must be 0000)";
        }
    }

    static String typeName(int type) {
        return switch (type) {
            case 1 -> "CONNECT";
            case 2 -> "CONNACK";
            case 3 -> "PUBLISH";
            case 4 -> "PUBACK";
            case 5 -> "PUBREC";
            case 6 -> "PUBREL";
            case 7 -> "PUBCOMP";
            case 8 -> "SUBSCRIBE";
            case 9 -> "SUBACK";
            case 10 -> "UNSUBSCRIBE";
            case 11 -> "UNSUBACK";
            case 12 -> "PINGREQ";
            case 13 -> "PINGRESP";
            case 14 -> "DISCONNECT";
            case 15 -> "AUTH";
            default -> "packet type " + type;
        };
    }
}
