package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 6: nothing unbounded before authentication. Until CONNACK a connection may
 * send at most {@code max_connect_packet_size} (64 KiB) in one packet, must be accepted within
 * {@code connect_timeout} from accept however it trickles, WebSocket frames are bounded by
 * {@code max_packet_size}, and connections that have not finished CONNECT hold
 * {@code max_connections} places. Hostile clients only a raw socket can play; the clients being
 * served are Paho.
 */
public class PreAuthenticationLimitsTest {

    private static final int WS_PORT;

    static {
        try {
            WS_PORT = BrokerProcess.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.protocol.cfg", "connect_timeout = 5\nmax_packet_size = 20971520\n"
                    + "max_connections = 400\n")
            .withEtcFile("io.meridianmq.listener-ws.cfg", "host = 127.0.0.1\nport = " + WS_PORT
                    + "\nkind = ws\npath = /mqtt\n");

    /** A CONNECT fixed header declaring {@code length} bytes to follow. */
    private static byte[] connectHeader(int length) {
        byte[] h = new byte[5];
        h[0] = 0x10;
        int n = 1;
        do {
            int digit = length % 128;
            length /= 128;
            h[n++] = (byte) (length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        return java.util.Arrays.copyOf(h, n);
    }

    /**
     * Writes {@code bytes} after the header; returns true when the broker closed the connection
     * before taking them all (the write fails), false when it read them all (it buffered them).
     */
    private static boolean closedWhileStreaming(Socket s, int bytes) {
        try {
            OutputStream out = s.getOutputStream();
            byte[] chunk = new byte[16 * 1024];
            for (int sent = 0; sent < bytes; sent += chunk.length) {
                out.write(chunk);
            }
            out.flush();
            return false;
        } catch (IOException closedOrReset) {
            return true;
        }
    }

    private static void servesOthers(String id) throws Exception {
        try (V5Client c = new V5Client(BROKER.uri(), id)) {
            c.connect(V5Client.options());
            c.subscribe(V5Client.sub("pre-auth/" + id, 1));
            c.publish("pre-auth/" + id, "served", 1, false);
            assertEquals("served", c.next().text());
        }
    }

    @Test
    public void hundredsOfConnectionsStreamingA16MibConnectCostNoMemory() throws Exception {
        long before = BROKER.residentKilobytes();
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket("127.0.0.1", BROKER.port());
                s.getOutputStream().write(connectHeader(16 * 1024 * 1024 - 16)); // 16 MiB, within max_packet_size (20)
                flood.add(s);
            }
            servesOthers("during-flood");
            for (Socket s : flood) {
                assertTrue("the broker took 1 MiB of a 16 MiB CONNECT", closedWhileStreaming(s, 1024 * 1024));
            }
            long grown = BROKER.residentKilobytes() - before;
            // 300 x 1 MiB offered: had it been buffered, the broker would have grown by about 300 MiB
            assertTrue("the broker grew by " + grown + " KiB", grown < 64 * 1024);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        BROKER.awaitLogLine(l -> l.contains("max_connect_packet_size"), "the refusal naming max_connect_packet_size");
        servesOthers("after-flood");
    }

    @Test
    public void aClientTricklingItsConnectIsClosedAtTheDeadline() throws Exception {
        try (Socket s = new Socket("127.0.0.1", BROKER.port())) {
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write(connectHeader(1000)); // a CONNECT of 1,000 bytes, well within the limits ...
            long deadline = System.currentTimeMillis() + 20_000;
            boolean closed = false;
            // ... sent one byte every 500 ms: each read would have reset an idle timer
            while (System.currentTimeMillis() < deadline && !closed) {
                try {
                    out.write(0);
                    out.flush();
                    closed = s.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // no answer yet: go on trickling
                } catch (IOException reset) {
                    closed = true;
                }
            }
            assertTrue("a trickling client was never closed", closed);
        }
        BROKER.awaitLogLine(l -> l.contains("no complete CONNECT within connect_timeout (5 s from accept)"),
                "the deadline's log line");
    }

    @Test
    public void connectionsThatHaveNotFinishedConnectCountTowardMaxConnections() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 400; i++) {
                idle.add(new Socket("127.0.0.1", BROKER.port()));
            }
            V5Client refused = new V5Client(BROKER.uri(), "beyond-the-limit");
            try {
                refused.connect(V5Client.options());
                throw new AssertionError("a 401st connection was accepted with 400 pending ones open");
            } catch (MqttException e) {
                assertEquals(0x97, e.getReasonCode());
            } finally {
                refused.close();
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        // the broker counts a closed connection down when it sees the close: a moment later
        org.awaitility.Awaitility.await("served after the pending connections closed")
                .atMost(java.time.Duration.ofSeconds(10)).ignoreException(MqttException.class)
                .untilAsserted(() -> servesOthers("after-the-pending-ones-left"));
    }

    @Test
    public void aWebSocketFrameLargerThanMaxPacketSizeIsRefusedFromItsHeader() throws Exception {
        BROKER.awaitLog("(listener 'ws', kind ws");
        try (Socket socket = WebSocketTest.openWebSocket(WS_PORT)) {
            // a masked binary frame claiming 32 MiB (max_packet_size is 20 MiB)
            socket.getOutputStream().write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 0x02, 0, 0, 0, 1, 2, 3, 4});
            socket.getOutputStream().flush();
            byte[] rest = socket.getInputStream().readAllBytes();
            assertTrue("a close frame (1009, message too big)", rest.length >= 4 && (rest[0] & 0x0F) == 0x8
                    && ((rest[2] & 0xFF) << 8 | (rest[3] & 0xFF)) == 1009);
        }
        servesOthers("after-big-frame");
    }
}
