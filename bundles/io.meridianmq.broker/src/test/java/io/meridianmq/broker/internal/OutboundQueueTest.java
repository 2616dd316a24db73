package io.meridianmq.broker.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.Test;

import io.meridianmq.sdk.message.PublishProperties;

/**
 * What a full queue drops: expired messages first, then the oldest QoS 0 one, else the message
 * that arrives; a queue full of QoS 1 messages drops each newcomer (and, since the counts kept
 * as the queue changes, does not look through the queue for it).
 */
public class OutboundQueueTest {

    private final List<String> dropped = new ArrayList<>();
    private int expired;

    private final StoreMirror notStored = new StoreMirror("c", (SessionContext) java.lang.reflect.Proxy.newProxyInstance(
            SessionContext.class.getClassLoader(), new Class<?>[] {SessionContext.class}, (p, m, a) -> null));
    private final OutboundQueue queue = new OutboundQueue("c", notStored,
            (d, why) -> dropped.add(text(d)), () -> expired++);

    private static Delivery delivery(String text, int qos, long expiresAtMillis) {
        Message m = new Message("t", text.getBytes(StandardCharsets.UTF_8), qos, false, PublishProperties.NONE,
                expiresAtMillis, "p");
        return new Delivery(m, qos, false, null, null);
    }

    private static String text(Delivery d) {
        return new String(d.message.payload(), StandardCharsets.UTF_8);
    }

    private List<String> queued() {
        List<String> all = new ArrayList<>();
        queue.inHeap().forEachRemaining(d -> all.add(text(d)));
        return all;
    }

    private void offer(String text, int qos) {
        queue.offer(delivery(text, qos, Long.MAX_VALUE), 3, 0, false);
    }

    @Test
    public void aQueueFullOfQos1MessagesDropsEachNewcomer() {
        offer("a", 1);
        offer("b", 1);
        offer("c", 1);
        for (int i = 0; i < 10_000; i++) {
            offer("n" + i, 1);
        }
        assertEquals(List.of("a", "b", "c"), queued());
        assertEquals(10_000, dropped.size());
        assertEquals("n0", dropped.get(0));
    }

    @Test
    public void theOldestQos0MessageMakesRoomFirst() {
        offer("a", 1);
        offer("b", 0);
        offer("c", 1);
        offer("d", 1);
        assertEquals(List.of("a", "c", "d"), queued());
        assertEquals(List.of("b"), dropped);
        offer("e", 1); // no QoS 0 one left: the newcomer goes
        assertEquals(List.of("a", "c", "d"), queued());
        assertEquals(List.of("b", "e"), dropped);
        assertEquals("a", text(queue.poll()));
        offer("f", 0);
        offer("g", 1); // f is the QoS 0 one now
        assertEquals(List.of("c", "d", "g"), queued());
        assertEquals(List.of("b", "e", "f"), dropped);
    }

    @Test
    public void expiredMessagesMakeRoomBeforeAnyOther() {
        long now = System.currentTimeMillis();
        queue.offer(delivery("old", 1, now - 1), 3, 0, false); // expired by the time the queue is full
        offer("q0", 0);
        offer("b", 1);
        offer("c", 1);
        assertEquals(1, expired);
        assertEquals(List.of("q0", "b", "c"), queued());
        assertEquals(List.of(), dropped);
        queue.offer(delivery("later", 1, now + 3_600_000), 3, 0, false); // expires in an hour: the QoS 0 one goes
        assertEquals(List.of("b", "c", "later"), queued());
        assertEquals(List.of("q0"), dropped);
        queue.clear();
        offer("x", 1);
        assertEquals(List.of("x"), queued());
    }
}
