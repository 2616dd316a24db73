package io.meridianmq.protocol.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

/** The per-loop sweep of connection deadlines: what is due ends, what was removed or is not due stays out of it. */
class DeadlineSweepTest {

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A deadline that is due once {@code due} is set. */
    private static final class Flag extends DeadlineSweep.Deadline {
        final String name;
        final List<String> ended;
        final CountDownLatch latch;
        volatile boolean due;

        Flag(String name, List<String> ended, CountDownLatch latch) {
            this.name = name;
            this.ended = ended;
            this.latch = latch;
        }

        @Override
        boolean due(long nowNanos) {
            return due;
        }

        @Override
        void expired() {
            ended.add(name);
            latch.countDown();
        }
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    @Test
    void dueDeadlinesEndOnceAndRemovedOnesNever() throws Exception {
        List<String> ended = new CopyOnWriteArrayList<>();
        CountDownLatch two = new CountDownLatch(2);
        List<Flag> flags = List.of(new Flag("a", ended, two), new Flag("b", ended, two), new Flag("c", ended, two),
                new Flag("d", ended, two), new Flag("e", ended, two));
        DeadlineSweep sweep = onLoop(() -> {
            DeadlineSweep s = DeadlineSweep.of(loop);
            flags.forEach(s::add);
            s.remove(flags.get(1)); // from the middle: the last one takes its place
            s.remove(flags.get(1)); // twice is harmless
            return s;
        });
        assertEquals(4, onLoop(sweep::size));
        flags.get(1).due = true; // removed: never ends
        flags.get(4).due = true; // moved into b's place
        flags.get(0).due = true;
        assertTrue(two.await(5, TimeUnit.SECONDS), "the two due deadlines end within a few sweeps");
        assertEquals(List.of("a", "e"), ended.stream().sorted().toList());
        assertEquals(2, onLoop(sweep::size), "c and d are still watched");
        onLoop(() -> {
            sweep.remove(flags.get(0)); // expired already: harmless
            sweep.remove(flags.get(2));
            sweep.remove(flags.get(3));
            return null;
        });
        assertEquals(0, onLoop(sweep::size));
        assertFalse(ended.contains("b"));
    }

    @Test
    void eachLoopHasItsOwnSweep() throws Exception {
        EventLoop other = new DefaultEventLoop();
        try {
            DeadlineSweep here = onLoop(() -> DeadlineSweep.of(loop));
            assertTrue(here == onLoop(() -> DeadlineSweep.of(loop)));
            DeadlineSweep there = other.submit(() -> DeadlineSweep.of(other)).get(5, TimeUnit.SECONDS);
            assertFalse(here == there);
        } finally {
            other.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void manyDeadlinesGrowAndShrinkTheSweep() throws Exception {
        List<String> ended = new CopyOnWriteArrayList<>();
        CountDownLatch none = new CountDownLatch(1);
        List<Flag> flags = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            flags.add(new Flag("f" + i, ended, none));
        }
        DeadlineSweep sweep = onLoop(() -> DeadlineSweep.of(loop));
        onLoop(() -> {
            flags.forEach(sweep::add);
            return null;
        });
        assertEquals(1000, onLoop(sweep::size));
        onLoop(() -> {
            for (int i = 0; i < 1000; i += 2) {
                sweep.remove(flags.get(i));
            }
            return null;
        });
        assertEquals(500, onLoop(sweep::size));
        flags.get(999).due = true;
        assertTrue(none.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("f999"), ended);
        onLoop(() -> {
            flags.forEach(sweep::remove);
            return null;
        });
        assertEquals(0, onLoop(sweep::size));
    }
}
