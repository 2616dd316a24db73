package io.meridianmq.protocol.internal;

/**
 * The protocol settings in force ({@code etc/io.meridianmq.protocol.cfg}).
 *
 * @param maxPacketSize the largest packet a client may send (announced to MQTT 5 clients)
 * @param connectTimeoutSeconds how long a new connection may take to send CONNECT
 * @param topicAliasMaximum how many topic aliases an MQTT 5 client may use towards us (0 = none)
 * @param receiveMaximum how many QoS 1/2 PUBLISHes an MQTT 5 client may have unacknowledged
 * @param maxKeepAlive the longest keep alive accepted; longer (or 0) is replaced for MQTT 5
 *        clients through the server keep alive
 * @param responseInformation the prefix offered as response information when an MQTT 5 client
 *        asks for it (the client id is appended); empty = not offered
 * @param maxConnections the most connections open at once, those still before CONNACK included
 *        (-1 = no limit)
 * @param maxConnectPacketSize the largest packet a client may send before its CONNACK (so before
 *        it is authenticated), and so the most the broker buffers for it
 */
record ProtocolSettings(int maxPacketSize, int connectTimeoutSeconds, int topicAliasMaximum, int receiveMaximum,
        int maxKeepAlive, String responseInformation, int maxConnections, int maxConnectPacketSize) {

    static final ProtocolSettings DEFAULTS = new ProtocolSettings(16 * 1024 * 1024, 10, 10, 100, 65535, "responses/", -1,
            64 * 1024);
}
