package io.meridianmq.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.channel.embedded.EmbeddedChannel;

/** max_connecting: new connections beyond it wait, unread, first come first served, for a turn to end. */
class ConnectTurnsTest {

    private final List<String> given = new ArrayList<>();

    private ConnectTurns.Waiter waiter(String name) {
        return () -> given.add(name);
    }

    @Test
    void beyondTheLimitConnectionsWaitInTheOrderTheyCame() {
        ConnectTurns turns = new ConnectTurns(2);
        assertTrue(turns.takeOrWait(waiter("a")));
        assertTrue(turns.takeOrWait(waiter("b")));
        assertFalse(turns.takeOrWait(waiter("c")));
        assertFalse(turns.takeOrWait(waiter("d")));
        assertEquals(2, turns.waiting());
        turns.giveBack();
        assertEquals(List.of("c"), given, "the first to wait is the first served");
        turns.giveBack();
        turns.giveBack(); // nobody waits: the turn stays free
        assertEquals(List.of("c", "d"), given);
        assertTrue(turns.takeOrWait(waiter("e")), "a free turn is taken at once");
        assertFalse(turns.takeOrWait(waiter("f")));
    }

    @Test
    void aRaisedLimitServesThoseWaitingAtOnceAndZeroMeansNoLimit() {
        ConnectTurns turns = new ConnectTurns(1);
        assertTrue(turns.takeOrWait(waiter("a")));
        assertFalse(turns.takeOrWait(waiter("b")));
        assertFalse(turns.takeOrWait(waiter("c")));
        turns.max(3);
        assertEquals(List.of("b", "c"), given);
        turns.max(0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(turns.takeOrWait(waiter("n" + i)));
        }
    }

    @Test
    void aWaitingConnectionReadsNothingUntilTheOneAheadIsDone() {
        ConnectTurns turns = new ConnectTurns(1);
        EmbeddedChannel first = new EmbeddedChannel(new ConnectDeadline(10, turns));
        EmbeddedChannel second = new EmbeddedChannel(new ConnectDeadline(10, turns));
        EmbeddedChannel third = new EmbeddedChannel(new ConnectDeadline(10, turns));
        try {
            assertTrue(first.config().isAutoRead(), "the first has a turn: it reads");
            assertFalse(second.config().isAutoRead(), "the second waits unread");
            assertFalse(third.config().isAutoRead());
            first.pipeline().removeFirst(); // CONNACK: the deadline handler leaves, its turn ends
            second.runPendingTasks();
            assertTrue(second.config().isAutoRead(), "the second reads now");
            assertFalse(third.config().isAutoRead());
            third.close(); // gave up while waiting
            second.close(); // ended before CONNACK: its turn goes on
            third.runPendingTasks(); // gone: passes the turn on, nobody is left
            assertEquals(0, turns.waiting());
            assertTrue(turns.takeOrWait(waiter("next")), "the turn is free again");
        } finally {
            first.finishAndReleaseAll();
            second.finishAndReleaseAll();
            third.finishAndReleaseAll();
        }
    }
}
