package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Issue 16, point 4: a PROXY protocol listener takes a header only from the proxies in
 * {@code proxy_protocol_trusted}. Here only 192.0.2.0/24 is trusted, so this machine
 * (127.0.0.1) is "anyone else": a client that sends a PROXY header to choose its own address
 * (past {@code allow_anonymous = loopback}, past the failed-login counter) is closed; a client
 * that connects directly is served under its own address.
 */
public class ProxyTrustAttackTest {

    private static final int PROXIED_PORT;

    static {
        try {
            PROXIED_PORT = BrokerProcess.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.listener-proxied.cfg", "host = 127.0.0.1\nport = " + PROXIED_PORT
                    + "\nkind = mqtt\nproxy_protocol = true\nproxy_protocol_trusted = 192.0.2.0/24\n");

    @Test
    public void aProxyHeaderFromAnUntrustedPeerClosesTheConnection() throws Exception {
        BROKER.awaitLog("(listener 'proxied', kind mqtt, PROXY protocol");
        try (RawMqttSocket raw = new RawMqttSocket(PROXIED_PORT)) {
            raw.send(("PROXY TCP4 203.0.113.5 127.0.0.1 40000 " + PROXIED_PORT + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            raw.send(RawMqttSocket.connect("spoofed-address"));
            assertNull("the broker answered a client that chose its own address", raw.readPacket());
            int port = raw.localPort();
            BROKER.awaitLogLine(l -> l.contains("127.0.0.1:" + port) && l.contains("not a trusted proxy"),
                    "a log line naming the untrusted peer");
        }
        // the PROXY v2 signature too
        try (RawMqttSocket raw = new RawMqttSocket(PROXIED_PORT)) {
            raw.send(0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x21, 0x11, 0x00, 0x0C,
                    203, 0, 113, 6, 127, 0, 0, 1, 0x9C, 0x40, 0x07, 0x5B);
            raw.send(RawMqttSocket.connect("spoofed-v2"));
            assertNull("the broker answered a client that chose its own address (v2)", raw.readPacket());
        }
    }

    @Test
    public void aDirectClientOfAnUntrustedPeerIsServedUnderItsOwnAddress() throws Exception {
        BROKER.awaitLog("(listener 'proxied'");
        MosquittoCommand pub = MosquittoCommand.run(PROXIED_PORT, "mosquitto_pub", "-i", "direct-client", "-t", "t",
                "-m", "hello", "-q", "1");
        assertEquals(pub.output(), 0, pub.exitCode());
        BROKER.awaitLogLine(l -> l.contains("'direct-client' (127.0.0.1:") && l.contains("connected"),
                "the direct client connected under its own address");
    }
}
