package io.meridianmq.protocol.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks every packet's fixed header as bytes stream in, before the decoder buffers anything:
 * the packet type, the reserved flag bits (MQTT 3.1.1 section 2.2.2 and 5.0 section 2.1.3), the
 * remaining length encoding (at most four bytes) and the maximum packet size. Netty's decoder
 * silently clears wrong flag bits, but the specification says the connection must be closed.
 *
 * <p>The bytes pass through unchanged; this handler only reads the first byte and the length of
 * each packet and skips the rest by arithmetic, so it costs almost nothing.
 */
final class FixedHeaderGuard extends ChannelInboundHandlerAdapter {

    private final int maxPacketSize;
    private boolean failed;
    private boolean inLength;
    private int firstByte;
    private int length;
    private int multiplier;
    private int lengthBytes;
    private long bodyLeft;

    FixedHeaderGuard(int maxPacketSize) {
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String problem = scan(buf);
        if (problem != null) {
            failed = true;
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new MalformedPacketException(problem));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Walks the packet boundaries in {@code buf}; returns a problem or {@code null}. */
    private String scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (bodyLeft > 0) {
                long skip = Math.min(bodyLeft, end - i);
                bodyLeft -= skip;
                i += (int) skip;
                continue;
            }
            int b = buf.getByte(i++) & 0xFF;
            if (!inLength) {
                String problem = checkFlags(b);
                if (problem != null) {
                    return problem;
                }
                firstByte = b;
                inLength = true;
                length = 0;
                multiplier = 1;
                lengthBytes = 0;
                continue;
            }
            lengthBytes++;
            length += (b & 0x7F) * multiplier;
            if ((b & 0x80) != 0) {
                if (lengthBytes == 4) {
                    return "remaining length encoded in more than 4 bytes";
                }
                multiplier *= 128;
                continue;
            }
            inLength = false;
            long packetSize = 1L + lengthBytes + length;
            if (packetSize > maxPacketSize) {
                return "packet of " + packetSize + " bytes exceeds max_packet_size " + maxPacketSize
                        + " (" + typeName(firstByte >>> 4) + ")";
            }
            bodyLeft = length;
        }
        return null;
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

    private static String typeName(int type) {
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
