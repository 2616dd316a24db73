package io.meridianmq.protocol.internal;

import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Gives a new connection {@code connect_timeout} seconds from accept to be accepted (CONNECT,
 * any AUTH exchange, CONNACK), whatever it sends meanwhile: Netty's idle handlers start again
 * on every read, so a client trickling one byte every few seconds would never be closed. At the
 * deadline it fires a reader-idle event, which {@link MqttConnection} answers by closing the
 * connection with a log line; {@code MqttConnection} removes this handler at CONNACK. The
 * deadline is watched by the loop's {@link DeadlineSweep}, not a timer task of its own.
 *
 * <p>It also waits for the connection's turn ({@link ConnectTurns}, {@code max_connecting}):
 * nothing is read from the connection until it has one.
 *
 * <p>Threading: the channel's event loop.
 */
final class ConnectDeadline extends ChannelInboundHandlerAdapter implements ConnectTurns.Waiter {

    private final int seconds;
    private final ConnectTurns turns;
    /** Set once the connection is active. Event loop. */
    private Watched deadline;
    private ChannelHandlerContext ctx;
    /** Where the connection is with its turn: {@link #WAITING}, {@link #HOLDING} or {@link #FREE}. Event loop. */
    private int turn;
    /** Since when it has waited, or held its turn. Event loop. */
    private long turnSince;
    /** Set when the handler left the pipeline (CONNACK, or the connection ended). Event loop. */
    private boolean removed;

    /** Unread until a turn comes. */
    private static final int WAITING = 0;
    /** Read, counted among max_connecting. */
    private static final int HOLDING = 1;
    /** Read without a turn: its lease ran out, or it waited its longest. */
    private static final int FREE = 2;

    ConnectDeadline(int seconds, ConnectTurns turns) {
        this.seconds = seconds;
        this.turns = turns;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (deadline == null) {
            long now = System.nanoTime();
            deadline = new Watched(now + TimeUnit.SECONDS.toNanos(seconds));
            deadline.sweep.add(deadline);
            turnSince = now;
            if (turns.takeOrWait(this)) {
                turn = HOLDING;
            } else {
                // before the pipeline's first read (the channel goes active after this): nothing is read until the turn
                turn = WAITING;
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void turnGiven() {
        ctx.executor().execute(() -> {
            if (removed || turn != WAITING || !ctx.channel().isActive()) {
                turns.giveBack(); // gone, or reading already: the next one takes it
                return;
            }
            turn = HOLDING;
            turnSince = System.nanoTime();
            ctx.channel().config().setAutoRead(true);
        });
    }

    private void endTurn() {
        if (turn == HOLDING) {
            turn = FREE;
            turns.giveBack();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        removed = true;
        endTurn();
        if (deadline != null) {
            deadline.sweep.remove(deadline);
        }
    }

    /**
     * The deadline in the sweep; it also ends a turn held longer than its lease, and lets a
     * connection that waited its longest ({@link ConnectTurns#maxWaitNanos}) read without a turn:
     * connections that send nothing cannot keep the others waiting for long.
     */
    private final class Watched extends DeadlineSweep.Deadline {
        private final DeadlineSweep sweep;
        private final long atNanos;

        Watched(long atNanos) {
            this.sweep = DeadlineSweep.of(ctx.channel().eventLoop());
            this.atNanos = atNanos;
        }

        @Override
        boolean due(long nowNanos) {
            if (turn == HOLDING && nowNanos - turnSince >= ConnectTurns.LEASE_NANOS) {
                endTurn(); // slow to finish (an authentication plugin, an idle client): it goes on uncounted
            } else if (turn == WAITING && nowNanos - turnSince >= ConnectTurns.maxWaitNanos(seconds)) {
                turn = FREE; // its place in the queue is skipped when its turn comes
                ctx.channel().config().setAutoRead(true);
            }
            return nowNanos - atNanos >= 0;
        }

        @Override
        void expired() {
            if (ctx.channel().isActive()) {
                ctx.fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
            }
        }
    }
}
