package io.meridianmq.protocol.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import io.meridianmq.broker.BrokerCapabilities;
import io.meridianmq.protocol.ListenerOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttProperties.MqttPropertyType;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;

import org.junit.After;
import org.junit.Test;

/**
 * The connection state machine driven through Netty's {@link EmbeddedChannel}: packets are
 * encoded and decoded by Netty's MQTT codec on both sides, as on the network, and the broker core
 * behind the connection is {@link RecordingBroker}. CONNECT rules, QoS 1 and 2 flows, flow control
 * and the AUTH exchange, in milliseconds and without a distribution.
 */
public class MqttConnectionTest {

    private final RecordingBroker broker = new RecordingBroker();
    private final ConnectionCounters counters = new ConnectionCounters();
    private EmbeddedChannel server;
    /** The client's side: its codec knows the version from the CONNECT it encoded. */
    private final EmbeddedChannel client = new EmbeddedChannel(new MqttDecoder(), MqttEncoder.INSTANCE);

    private void start(ProtocolSettings settings) {
        server = new EmbeddedChannel();
        server.pipeline().addLast(MqttConnection.IDLE_HANDLER, new ConnectDeadline(settings.connectTimeoutSeconds(), new ConnectTurns(0)))
                .addLast(new MqttDecoder(settings.maxPacketSize()), MqttEncoder.INSTANCE)
                .addLast(new MqttConnection(broker, "test", settings, counters, new PacketTrace(java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))),
                        new ListenerOptions(false, false), load));
    }

    private final LoadLimits load = new LoadLimits();

    private void start() {
        start(ProtocolSettings.DEFAULTS);
    }

    @After
    public void close() {
        if (server != null) {
            server.finishAndReleaseAll();
        }
        client.finishAndReleaseAll();
    }

    private void send(MqttMessage message) {
        client.writeOutbound(message);
        for (ByteBuf b; (b = client.readOutbound()) != null;) {
            server.writeInbound(b);
        }
        server.runPendingTasks();
    }

    /** The next packet the server sent, or null. */
    private MqttMessage received() {
        for (ByteBuf b; (b = server.readOutbound()) != null;) {
            client.writeInbound(b);
        }
        MqttMessage m = client.readInbound();
        if (m != null) {
            ReferenceCountUtil.release(m);
        }
        return m;
    }

    private static MqttMessage connect(MqttVersion version, String clientId, MqttProperties properties) {
        return MqttMessageBuilders.connect().protocolVersion(version).clientId(clientId).cleanSession(true)
                .keepAlive(30).properties(properties).build();
    }

    private MqttConnAckMessage connectV5(MqttProperties properties) {
        send(connect(MqttVersion.MQTT_5, "c1", properties));
        return (MqttConnAckMessage) received();
    }

    private static MqttMessage publish(String topic, int qos, int packetId, MqttProperties properties, String payload) {
        return MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(packetId)
                .properties(properties).payload(Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8)).build();
    }

    private static MqttProperties props(MqttProperties.MqttProperty<?>... all) {
        MqttProperties p = new MqttProperties();
        for (MqttProperties.MqttProperty<?> one : all) {
            p.add(one);
        }
        return p;
    }

    private static MqttProperties.IntegerProperty intProp(MqttPropertyType type, int value) {
        return new MqttProperties.IntegerProperty(type.value(), value);
    }

    private static int disconnectReason(MqttMessage m) {
        assertNotNull("a DISCONNECT", m);
        assertEquals(MqttMessageType.DISCONNECT, m.fixedHeader().messageType());
        return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode() & 0xFF;
    }

    private static int pubReplyReason(MqttMessage m) {
        return m.variableHeader() instanceof MqttPubReplyMessageVariableHeader h ? h.reasonCode() & 0xFF : 0;
    }

    // ---- CONNECT rules ----

    @Test
    public void anMqtt5ConnectIsAcceptedWithTheBrokersLimitsAndAnAssignedId() {
        start();
        send(connect(MqttVersion.MQTT_5, "", MqttProperties.NO_PROPERTIES));
        MqttConnAckMessage connack = (MqttConnAckMessage) received();
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connack.variableHeader().connectReturnCode());
        MqttProperties p = connack.variableHeader().properties();
        assertEquals("assigned-1", p.getProperty(MqttPropertyType.ASSIGNED_CLIENT_IDENTIFIER.value()).value());
        assertEquals(100, p.getProperty(MqttPropertyType.RECEIVE_MAXIMUM.value()).value());
        assertEquals(10, p.getProperty(MqttPropertyType.TOPIC_ALIAS_MAXIMUM.value()).value());
        assertNull("the broker keeps the client's keep alive", p.getProperty(MqttPropertyType.SERVER_KEEP_ALIVE.value()));
        assertEquals(1, broker.connects.size());
        assertFalse("the connect deadline is gone once accepted (keep alive watches now)",
                server.pipeline().get(MqttConnection.IDLE_HANDLER) instanceof ConnectDeadline);
    }

    @Test
    public void outcomesAndEndsAreCountedInWordsSharedByBothVersions() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(MqttMessage.DISCONNECT);
        assertEquals(java.util.Map.of("accepted", 1L), counters.connects());
        assertEquals(java.util.Map.of("client_disconnect", 1L), counters.disconnects());
        assertEquals(0, counters.open.get());

        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(connect(MqttVersion.MQTT_5, "c1", MqttProperties.NO_PROPERTIES));
        assertEquals(Long.valueOf(1), counters.disconnects().get("protocol_error"));

        start();
        connectV5(props(new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), "kerberos")));
        assertEquals(Long.valueOf(1), counters.connects().get("bad_authentication_method"));
        counters.refused(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD);
        counters.refused(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD);
        assertEquals("MQTT 3 and 5 codes under one word", Long.valueOf(2),
                counters.connects().get("bad_username_or_password"));
    }

    @Test
    public void aSecondConnectEndsTheConnectionWithProtocolError() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(connect(MqttVersion.MQTT_5, "c1", MqttProperties.NO_PROPERTIES));
        assertEquals(0x82, disconnectReason(received()));
        assertFalse(server.isActive());
        assertTrue("the will goes out: the client did not disconnect normally", broker.willPublished);
    }

    /** Found by PacketFuzzTest: the second CONNECT's version switched the encoder to MQTT 3 (DISCONNECT without reason). */
    @Test
    public void aSecondConnectOfAnotherVersionIsStillAnsweredInTheFirstsVersion() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(connect(MqttVersion.MQTT_3_1_1, "c1", MqttProperties.NO_PROPERTIES));
        EmbeddedChannel v5Client = new EmbeddedChannel(new MqttDecoder());
        v5Client.attr(io.netty.util.AttributeKey.valueOf("NETTY_CODEC_MQTT_VERSION")).set(MqttVersion.MQTT_5);
        for (ByteBuf b; (b = server.readOutbound()) != null;) {
            v5Client.writeInbound(b);
        }
        MqttMessage disconnect = v5Client.readInbound();
        assertEquals("protocol error, in MQTT 5", 0x82, disconnectReason(disconnect));
        v5Client.finishAndReleaseAll();
    }

    @Test
    public void aPacketBeforeConnectClosesWithoutAnswer() {
        start();
        client.writeOutbound(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_3_1_1).clientId("x")
                .build()); // sets the client codec's version; the CONNECT itself is dropped
        client.readOutbound();
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
        assertNull(received());
        assertFalse(server.isActive());
        assertTrue(broker.connects.isEmpty());
    }

    @Test
    public void receiveMaximumZeroIsRefusedAsProtocolError() {
        start();
        MqttConnAckMessage connack = connectV5(props(intProp(MqttPropertyType.RECEIVE_MAXIMUM, 0)));
        assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_PROTOCOL_ERROR, connack.variableHeader().connectReturnCode());
        assertTrue(broker.connects.isEmpty());
        assertFalse(server.isActive());
    }

    @Test
    public void aWildcardWillTopicIsRefusedInMqtt5() {
        start();
        // Netty's encoder will not write a wildcard will topic, a hostile client will
        client.writeOutbound(connect(MqttVersion.MQTT_5, "x", MqttProperties.NO_PROPERTIES)); // client codec: v5
        ReferenceCountUtil.release(client.readOutbound());
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 26, 0, 4, 'M', 'Q', 'T', 'T', 5, 0x06, 0, 30, 0,
            0, 1, 'w', 0, 0, 3, 'a', '/', '#', 0, 4, 'g', 'o', 'n', 'e'}));
        assertRefused(MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID);
    }

    @Test
    public void aWildcardWillTopicClosesAnMqtt3ConnectionWithoutConnack() {
        start();
        server.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x10, 24, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x06, 0, 30,
            0, 1, 'w', 0, 3, 'a', '/', '+', 0, 4, 'g', 'o', 'n', 'e'}));
        assertNull("MQTT 3.1.1 has no return code for it: closed", server.readOutbound());
        assertFalse(server.isActive());
        assertTrue(broker.connects.isEmpty());
    }

    @Test
    public void anUnknownAuthenticationMethodIsRefused() {
        start();
        MqttConnAckMessage connack = connectV5(props(new MqttProperties.StringProperty(
                MqttPropertyType.AUTHENTICATION_METHOD.value(), "kerberos")));
        assertEquals(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
                connack.variableHeader().connectReturnCode());
    }

    @Test
    public void aLongKeepAliveIsCappedAndAnnounced() {
        start(new ProtocolSettings(1 << 20, 10, 10, 100, 20, "", -1, 65536));
        MqttConnAckMessage connack = connectV5(MqttProperties.NO_PROPERTIES); // keep alive 30
        assertEquals(20, connack.variableHeader().properties().getProperty(MqttPropertyType.SERVER_KEEP_ALIVE.value())
                .value());
        assertEquals(20, broker.connects.get(0).keepAliveSeconds());
    }

    @Test
    public void whileOverloadedAConnectIsRefusedServerBusyAndAfterwardsAccepted() {
        load.overload("heap 95% used after collection (threshold 90%)");
        start();
        send(connect(MqttVersion.MQTT_5, "c1", MqttProperties.NO_PROPERTIES));
        assertRefused(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
        assertEquals(Long.valueOf(1), counters.rateLimited().get("overload"));
        server.finishAndReleaseAll();
        start();
        send(connect(MqttVersion.MQTT_3_1_1, "c3", MqttProperties.NO_PROPERTIES));
        assertRefused(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE); // MQTT 3's return code 3
        server.finishAndReleaseAll();
        load.overload(null);
        start();
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connectV5(MqttProperties.NO_PROPERTIES)
                .variableHeader().connectReturnCode());
    }

    @Test
    public void aClientOverItsPublishRateHasItsReadingPausedNotItsMessagesRefused() {
        load.configure(new RateLimits(5, 2, 0, 0), 100);
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(publish("a/b", 1, 1, MqttProperties.NO_PROPERTIES, "one"));
        send(publish("a/b", 1, 2, MqttProperties.NO_PROPERTIES, "two"));
        server.pipeline().fireChannelReadComplete();
        assertTrue("within its burst it reads on", server.config().isAutoRead());
        send(publish("a/b", 1, 3, MqttProperties.NO_PROPERTIES, "three"));
        server.pipeline().fireChannelReadComplete();
        assertFalse("past its burst its reading pauses", server.config().isAutoRead());
        assertEquals("nothing refused: every PUBLISH went to the core", 3, broker.published.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(0, pubReplyReason(received()));
        }
        assertEquals(Long.valueOf(1), counters.rateLimited().get("publish_rate"));
        server.advanceTimeBy(250, java.util.concurrent.TimeUnit.MILLISECONDS); // 1/5 s repays one message's debt
        server.runScheduledPendingTasks();
        assertTrue("reading resumes once the bucket refilled", server.config().isAutoRead());
    }

    @Test
    public void overloadHoldsPublishersToTheOverloadRate() {
        load.configure(RateLimits.NONE, 1);
        load.overload("event-loop lag 900 ms (threshold 500 ms)");
        assertEquals(1, load.publishLimits().messagesPerSecond());
        load.overload(null);
        assertFalse("no limit configured, none once the overload is over", load.publishLimits().any());
    }

    // ---- QoS 1 and 2 ----

    @Test
    public void qos1PublishIsHandedToTheCoreAndAcknowledged() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(publish("a/b", 1, 7, MqttProperties.NO_PROPERTIES, "hello"));
        MqttMessage puback = received();
        assertEquals(MqttMessageType.PUBACK, puback.fixedHeader().messageType());
        assertEquals(7, ((MqttMessageIdVariableHeader) puback.variableHeader()).messageId());
        assertEquals(0, pubReplyReason(puback));
        assertEquals("a/b", broker.published.get(0).topic());
        assertArrayEquals("hello".getBytes(), broker.published.get(0).payload());
    }

    @Test
    public void qos2PublishGoesPublishPubrecPubrelPubcomp() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(publish("a/b", 2, 9, MqttProperties.NO_PROPERTIES, "once"));
        assertEquals(MqttMessageType.PUBREC, received().fixedHeader().messageType());
        send(new MqttMessage(new MqttFixedHeader(MqttMessageType.PUBREL, false, MqttQoS.AT_LEAST_ONCE, false, 2),
                MqttMessageIdVariableHeader.from(9)));
        MqttMessage pubcomp = received();
        assertEquals(MqttMessageType.PUBCOMP, pubcomp.fixedHeader().messageType());
        assertEquals(9, ((MqttMessageIdVariableHeader) pubcomp.variableHeader()).messageId());
        assertEquals(java.util.List.of(9), broker.released);
    }

    @Test
    public void aPublishAboveMaximumQosEndsTheConnection() {
        broker.capabilities = new BrokerCapabilities(1, true);
        start();
        MqttConnAckMessage connack = connectV5(MqttProperties.NO_PROPERTIES);
        assertEquals(1, connack.variableHeader().properties().getProperty(MqttPropertyType.MAXIMUM_QOS.value())
                .value());
        send(publish("a/b", 2, 1, MqttProperties.NO_PROPERTIES, "x"));
        assertEquals(0x9B, disconnectReason(received()));
        assertTrue(broker.published.isEmpty());
    }

    @Test
    public void aPayloadMarkedUtf8ThatIsNotGetsPubackPayloadFormatInvalid() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        MqttMessage bad = MqttMessageBuilders.publish().topicName("t").qos(MqttQoS.AT_LEAST_ONCE).messageId(3)
                .properties(props(intProp(MqttPropertyType.PAYLOAD_FORMAT_INDICATOR, 1)))
                .payload(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, 0x28})).build();
        send(bad);
        assertEquals(0x99, pubReplyReason(received()));
        assertTrue(broker.published.isEmpty());
        assertTrue("the connection goes on", server.isActive());
    }

    // ---- flow control ----

    @Test
    public void exceedingTheReceiveMaximumEndsTheConnection() {
        start(new ProtocolSettings(1 << 20, 10, 10, 2, 65535, "", -1, 65536));
        connectV5(MqttProperties.NO_PROPERTIES);
        broker.holdPublishAnswers = true;
        send(publish("t", 1, 1, MqttProperties.NO_PROPERTIES, "1"));
        send(publish("t", 1, 2, MqttProperties.NO_PROPERTIES, "2"));
        send(publish("t", 1, 1, MqttProperties.NO_PROPERTIES, "1 again")); // a resend is not a new one
        assertNull("no acknowledgement yet", received());
        send(publish("t", 1, 3, MqttProperties.NO_PROPERTIES, "3"));
        assertEquals(0x93, disconnectReason(received()));
    }

    @Test
    public void topicAliasesAreSetThenUsedAndCheckedAgainstTheMaximum() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(publish("sensors/1", 0, 0, props(intProp(MqttPropertyType.TOPIC_ALIAS, 4)), "set"));
        send(publish("", 0, 0, props(intProp(MqttPropertyType.TOPIC_ALIAS, 4)), "used"));
        assertEquals("sensors/1", broker.published.get(1).topic());
        send(publish("x", 0, 0, props(intProp(MqttPropertyType.TOPIC_ALIAS, 11)), "over"));
        assertEquals(0x94, disconnectReason(received()));
        assertEquals(2, broker.published.size());
    }

    @Test
    public void anUnsetTopicAliasIsAProtocolError() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(publish("", 0, 0, props(intProp(MqttPropertyType.TOPIC_ALIAS, 2)), "unset"));
        assertEquals(0x82, disconnectReason(received()));
    }

    // ---- SUBSCRIBE ----

    @Test
    public void mqtt3SubackHasOneFailureCode() {
        start();
        send(connect(MqttVersion.MQTT_3_1_1, "s3", MqttProperties.NO_PROPERTIES));
        received();
        send(MqttMessageBuilders.subscribe().messageId(5).addSubscription(MqttQoS.AT_LEAST_ONCE, "a/+").build());
        MqttSubAckMessage suback = (MqttSubAckMessage) received();
        assertEquals(5, suback.variableHeader().messageId());
        assertEquals(java.util.List.of(1), suback.payload().grantedQoSLevels());
    }

    @Test
    public void noLocalOnASharedSubscriptionIsAProtocolError() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(MqttMessageBuilders.subscribe().messageId(6).addSubscription("$share/g/a",
                new io.netty.handler.codec.mqtt.MqttSubscriptionOption(MqttQoS.AT_LEAST_ONCE, true, false,
                        io.netty.handler.codec.mqtt.MqttSubscriptionOption.RetainedHandlingPolicy.SEND_AT_SUBSCRIBE))
                .build());
        assertEquals(0x82, disconnectReason(received()));
        assertTrue(broker.subscribed.isEmpty());
    }

    @Test
    public void theSubscriptionIdentifierReachesTheCore() {
        start();
        connectV5(MqttProperties.NO_PROPERTIES);
        send(MqttMessageBuilders.subscribe().messageId(8).addSubscription(MqttQoS.AT_MOST_ONCE, "a/#")
                .properties(props(intProp(MqttPropertyType.SUBSCRIPTION_IDENTIFIER, 42))).build());
        assertEquals(MqttMessageType.SUBACK, received().fixedHeader().messageType());
        assertEquals(42, broker.subscribed.get(0).subscriptionId());
    }

    // ---- AUTH ----

    @Test
    public void anAuthExchangeEndsInConnackWithTheMethod() {
        MqttMessage challenge = startChallenge("e1");
        assertEquals(MqttMessageType.AUTH, challenge.fixedHeader().messageType());
        assertEquals(0x18, ((MqttReasonCodeAndPropertiesVariableHeader) challenge.variableHeader()).reasonCode());
        assertTrue("not connected before the exchange ends", broker.connects.isEmpty());
        send(auth(0x18, "challenge", "right"));
        MqttConnAckMessage connack = (MqttConnAckMessage) received();
        assertEquals(MqttConnectReturnCode.CONNECTION_ACCEPTED, connack.variableHeader().connectReturnCode());
        assertEquals("challenge", connack.variableHeader().properties()
                .getProperty(MqttPropertyType.AUTHENTICATION_METHOD.value()).value());
        assertArrayEquals("welcome".getBytes(), (byte[]) connack.variableHeader().properties()
                .getProperty(MqttPropertyType.AUTHENTICATION_DATA.value()).value());
        assertEquals("challenge", broker.connects.get(0).authenticatedBy());
    }

    @Test
    public void aWrongAnswerIsRefusedNotAuthorized() {
        startChallenge("e2");
        send(auth(0x18, "challenge", "wrong"));
        assertRefused(MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5);
    }

    @Test
    public void aPublishDuringTheAuthExchangeIsAProtocolError() {
        startChallenge("e3");
        send(publish("t", 0, 0, MqttProperties.NO_PROPERTIES, "early"));
        assertFalse(server.isActive());
        assertTrue(broker.published.isEmpty());
    }

    @Test
    public void authWithAnotherMethodIsAProtocolError() {
        startChallenge("e4");
        send(auth(0x18, "other", "right"));
        assertFalse(server.isActive());
        assertTrue(broker.connects.isEmpty());
    }

    /** The server answered CONNACK {@code code}, and the core never saw the client. */
    private void assertRefused(MqttConnectReturnCode code) {
        MqttConnAckMessage connack = (MqttConnAckMessage) received();
        assertEquals(code, connack.variableHeader().connectReturnCode());
        assertTrue(broker.connects.isEmpty());
    }

    /** Starts a connection that asks for the "challenge" method; returns the server's first AUTH. */
    private MqttMessage startChallenge(String clientId) {
        start();
        send(connect(MqttVersion.MQTT_5, clientId, props(new MqttProperties.StringProperty(
                MqttPropertyType.AUTHENTICATION_METHOD.value(), "challenge"))));
        return received();
    }

    private static MqttMessage auth(int reason, String method, String data) {
        return MqttMessageBuilders.auth().reasonCode((byte) reason).properties(props(
                new MqttProperties.StringProperty(MqttPropertyType.AUTHENTICATION_METHOD.value(), method),
                new MqttProperties.BinaryProperty(MqttPropertyType.AUTHENTICATION_DATA.value(),
                        data.getBytes(StandardCharsets.UTF_8)))).build();
    }
}
