package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.ClassRule;
import org.junit.Test;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;

/**
 * {@code max_connecting}: new connections beyond it wait their turn, accepted but unread, so that
 * a storm of connects is worked on a few at a time. Every client of a storm still gets its
 * CONNACK (HiveMQ's client), and connections that send nothing cannot hold the others back: one
 * holds a turn for a quarter of a second at most, and a connection waits two seconds at most
 * before it is read anyway (Paho, behind a flood of idle raw sockets).
 */
public class ConnectTurnsTest {

    @ClassRule
    public static final BrokerProcess BROKER = new BrokerProcess()
            .withEtcFile("io.meridianmq.protocol.cfg", "max_connecting = 4\nconnect_timeout = 30\n");

    @Test
    public void everyClientOfAStormGetsItsConnackAFewAtATime() throws Exception {
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        List<CompletableFuture<Mqtt5ConnAck>> connacks = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                Mqtt5AsyncClient c = MqttClient.builder().useMqttVersion5().identifier("turns-" + i)
                        .serverHost("127.0.0.1").serverPort(BROKER.port()).buildAsync();
                clients.add(c);
                connacks.add(c.connect());
            }
            for (CompletableFuture<Mqtt5ConnAck> connack : connacks) {
                assertEquals(Mqtt5ConnAckReasonCode.SUCCESS, connack.get(60, TimeUnit.SECONDS).getReasonCode());
            }
        } finally {
            for (Mqtt5AsyncClient c : clients) {
                c.disconnect();
            }
        }
    }

    @Test
    public void connectionsThatSendNothingDelayTheNextClientTwoSecondsAtMost() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            // 200 connections that never send CONNECT: all four turns taken and 196 queued ahead of
            // the client; served a turn at a time they would hold it back for half a minute
            // (connect_timeout 30 s), past its own 8 s connection timeout
            for (int i = 0; i < 200; i++) {
                idle.add(new Socket("127.0.0.1", BROKER.port()));
            }
            try (V5Client c = new V5Client(BROKER.uri(), "behind-idle-ones")) {
                MqttConnectionOptions o = V5Client.options();
                o.setConnectionTimeout(8);
                c.connect(o);
                c.subscribe(V5Client.sub("turns/behind", 1));
                c.publish("turns/behind", "served", 1, false);
                assertEquals("served", c.next().text());
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
        try (V5Client after = new V5Client(BROKER.uri(), "after-idle-ones")) {
            assertTrue(after.connect(V5Client.options()).isComplete());
        }
    }
}
