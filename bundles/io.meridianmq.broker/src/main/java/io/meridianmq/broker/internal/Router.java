package io.meridianmq.broker.internal;

import io.meridianmq.broker.DropReason;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.meridianmq.cluster.ClusterFabric;
import io.meridianmq.storage.SessionStore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes messages: matches a topic in the {@link RouteTable}, merges each session's matching
 * subscriptions into one delivery, hands it to the session's mailbox (with a store batch, after
 * the batch is written) and to one member of each matching shared group; it also holds
 * publishers back while a receiver is congested, for a bounded time.
 *
 * <p>The hot path: runs on the publisher's thread (a network thread), takes no lock, blocks on
 * nothing and allocates little (per-thread scratch lists, no per-session objects for the usual
 * single match). Thread-safe.
 */
final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final RouteTable routes;
    private final RetainedMessages retained;
    private final CoreThreads threads;
    /** Store keys of queued messages: unique and increasing over all sessions (shared with them). */
    private final AtomicLong sequences;
    private final Traffic traffic;
    private final ClusterLink cluster;
    /** The store, for batches of forwarded messages to persistent sessions; written only when durable. */
    private final ReplicatingStore store;
    private final boolean durable;

    Router(RouteTable routes, RetainedMessages retained, CoreThreads threads, AtomicLong sequences, Traffic traffic,
            ClusterLink cluster, ReplicatingStore store) {
        this.traffic = traffic;
        this.cluster = cluster;
        this.store = store;
        this.durable = store != null && store.durable();
        this.routes = routes;
        this.retained = retained;
        this.threads = threads;
        this.sequences = sequences;
    }

    /** Longest a publisher is held back for one congested receiver; then it goes on regardless. */
    static final long MAX_HOLD_BACK_MILLIS = 5000;

    /**
     * Runs {@code relieved} once {@code receiver} is no longer congested, or after
     * {@link #MAX_HOLD_BACK_MILLIS} at the latest: a subscriber that stops reading must not stall
     * its publishers for ever (it then loses messages at its own queue limit, nobody else does).
     */
    void whenRelievedOrLater(Session receiver, Runnable relieved) {
        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable fire = () -> {
            if (once.compareAndSet(false, true)) {
                relieved.run();
            }
        };
        try {
            threads.schedule(() -> {
                receiver.forgetRelief(fire); // a stuck receiver does not collect callbacks
                fire.run();
            }, MAX_HOLD_BACK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            fire.run();
            return;
        }
        receiver.whenRelieved(fire);
    }

    /** What one session gets of one message, merged over all its matching subscriptions. */
    private static final class Plan {
        int qos = -1;
        boolean retainAsPublished;
        List<Integer> ids;

        void add(Subscription s) {
            qos = Math.max(qos, s.qos());
            retainAsPublished |= s.retainAsPublished();
            if (s.subscriptionId() != 0) {
                if (ids == null) {
                    ids = new ArrayList<>(2);
                }
                ids.add(s.subscriptionId());
            }
        }

        int[] ids() {
            if (ids == null) {
                return null;
            }
            int[] a = new int[ids.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = ids.get(i);
            }
            return a;
        }

        Delivery delivery(Message message) {
            return new Delivery(message, Math.min(message.qos(), qos), retainAsPublished && message.retain(),
                    ids(), null);
        }
    }

    /**
     * Routes a message: updates retained state, then delivers it to every matching session once,
     * at the highest QoS of its matching subscriptions capped by the message's QoS, and to one
     * member of every matching shared subscription group. Returns how many sessions it went to.
     */
    int route(Message message) {
        return route(message, null);
    }

    /**
     * Routes as {@link #route(Message)} and, when {@code batch} is given, adds the QoS 1/2
     * deliveries to persistent sessions to it and submits it before any session sees them (so
     * that their later updates follow the writes in the store).
     */
    int route(Message message, SessionStore.Batch batch) {
        return route(message, batch, null);
    }

    /**
     * Routes as {@link #route(Message, SessionStore.Batch)} and tells {@code congested} about
     * every receiving session that has more waiting than it takes in (its publisher should pause).
     */
    int route(Message message, SessionStore.Batch batch, java.util.function.Consumer<Session> congested) {
        if (message.retain()) {
            retained.retain(message);
            cluster.retained(message);
        }
        ClusterFabric fabric = cluster.fabric();
        ClusterFabric.Forwarding forwarding = fabric == null || RetainedQuota.isSys(message.topic())
                ? ClusterFabric.Forwarding.LOCAL_ONLY
                : fabric.forward(message.topic(), message.qos() > 0, () -> ClusterCodec.message(message));
        if (forwarding.nodes() > 0 && message.qos() > 0 && batch != null) {
            store.awaitRemote(batch, forwarding.stored()); // the publisher's PUBACK waits for the other nodes too
        }
        return forwarding.nodes() + routeHere(message, batch, congested, true, forwarding, forwarding.messageId());
    }

    /**
     * Routes a message another node of the cluster forwarded: to this node's matching
     * subscriptions when {@code plain}, and to the shared groups in {@code sharedRoutes}; it is
     * neither retained here (that comes separately) nor forwarded on.
     */
    java.util.concurrent.CompletionStage<Boolean> routeForwarded(Message message, String messageId, boolean plain,
            java.util.Set<String> sharedRoutes) {
        SessionStore.Batch batch = durable ? store.batch() : null;
        routeHere(message, batch, null, plain, new ClusterFabric.Forwarding() {
            @Override
            public boolean servesHere(String sharedRoute) {
                return sharedRoutes.contains(sharedRoute);
            }

            @Override
            public int nodes() {
                return 0;
            }

            @Override
            public java.util.concurrent.CompletionStage<Boolean> stored() {
                return CONFIRMED;
            }

            @Override
            public String messageId() {
                return messageId;
            }
        }, messageId);
        if (message.qos() == 0) {
            return ClusterFabric.Forwarding.CONFIRMED;
        }
        java.util.concurrent.CompletableFuture<Boolean> stored = new java.util.concurrent.CompletableFuture<>();
        if (batch == null) {
            stored.complete(true);
        } else {
            store.whenWritten(batch, () -> stored.complete(true), () -> stored.complete(false));
        }
        return stored;
    }

    private int routeHere(Message message, SessionStore.Batch batch, java.util.function.Consumer<Session> congested,
            boolean plain, ClusterFabric.Forwarding servesShared, String messageId) {
        RouteScratch scratch = RouteScratch.take();
        try {
            scratch.publisher = message.publisherId();
            routes.match(message.topic(), scratch);
            List<Subscription> matched = scratch.matched;
            if (!plain) {
                matched.clear();
            }
            int n = matched.size();
            int delivered = 0;
            // with a batch, sessions see their deliveries only after the batch is submitted
            List<Runnable> afterSubmit = batch == null ? null : new ArrayList<>(Math.min(n, 16));
            boolean many = n > RouteScratch.LINEAR_MERGE_LIMIT;
            if (many) {
                // bring each session's subscriptions together (by identity hash), then merge within
                // runs of equal hash: no map and no per-session objects, however many match
                matched.sort(RouteScratch.BY_SESSION);
            }
            int runStart = 0;
            while (runStart < n) {
                int runEnd = n; // few matches: the whole list is one run, merged by scanning
                if (many) {
                    int hash = System.identityHashCode(matched.get(runStart).session());
                    runEnd = runStart + 1;
                    while (runEnd < n && System.identityHashCode(matched.get(runEnd).session()) == hash) {
                        runEnd++;
                    }
                }
                delivered += deliverMerged(message, matched, runStart, runEnd, batch, congested, afterSubmit,
                        messageId);
                runStart = runEnd;
            }
            if (batch != null) {
                batch.submit();
                afterSubmit.forEach(Runnable::run);
            }
            for (SubscriptionTree.SharedGroup group : scratch.groups) {
                if (servesShared.servesHere(group.route) && deliverShared(message, group, null, messageId)) {
                    delivered++;
                }
            }
            return delivered;
        } finally {
            scratch.release();
        }
    }

    /**
     * Hands one delivery to each session among {@code matched[from, to)}, merged over all of that
     * session's subscriptions in the range (highest QoS, retain-as-published if any asks, every
     * subscription id); returns how many sessions. A session with one matching subscription, the
     * usual case, needs no {@link Plan}.
     */
    private int deliverMerged(Message message, List<Subscription> matched, int from, int to,
            SessionStore.Batch batch, java.util.function.Consumer<Session> congested, List<Runnable> afterSubmit,
            String messageId) {
        int delivered = 0;
        for (int i = from; i < to; i++) {
            Subscription first = matched.get(i);
            Session session = first.session();
            if (seenBefore(matched, from, i, session)) {
                continue;
            }
            Plan plan = null;
            for (int j = i + 1; j < to; j++) {
                if (matched.get(j).session() == session) {
                    if (plan == null) {
                        plan = new Plan();
                        plan.add(first);
                    }
                    plan.add(matched.get(j));
                }
            }
            Delivery d = plan == null
                    ? new Delivery(message, Math.min(message.qos(), first.qos()),
                            first.retainAsPublished() && message.retain(),
                            first.subscriptionId() == 0 ? null : new int[] {first.subscriptionId()}, null)
                    : plan.delivery(message);
            d.clusterId = messageId;
            hand(session, d, batch, congested, afterSubmit);
            delivered++;
        }
        return delivered;
    }

    private static boolean seenBefore(List<Subscription> matched, int from, int index, Session session) {
        for (int j = from; j < index; j++) {
            if (matched.get(j).session() == session) {
                return true;
            }
        }
        return false;
    }

    /** Gives one delivery to its session now, or (with a batch) once the batch is submitted. */
    private void hand(Session session, Delivery d, SessionStore.Batch batch,
            java.util.function.Consumer<Session> congested, List<Runnable> afterSubmit) {
        if (congested != null && session.congested()) {
            congested.accept(session);
        }
        if (batch == null) {
            session.submitDelivery(d);
            return;
        }
        if (d.qos > 0 && session.persisted()) {
            d.sequence = sequences.incrementAndGet();
            batch.putMessage(session.clientId, d.sequence, d.toStored());
        }
        afterSubmit.add(() -> session.submitDelivery(d));
    }

    /**
     * What one routing collects from the subscription tree, kept per thread and reused, so that
     * routing a message allocates no collections of its own. A nested route on the same thread
     * (a plugin publishing from a callback) gets a fresh one.
     */
    private static final class RouteScratch implements RouteTable.MatchVisitor {
        /** Up to this many matches, a session's subscriptions are merged by scanning, unsorted. */
        static final int LINEAR_MERGE_LIMIT = 16;
        static final java.util.Comparator<Subscription> BY_SESSION =
                java.util.Comparator.comparingInt(s -> System.identityHashCode(s.session()));
        private static final ThreadLocal<RouteScratch> PER_THREAD = ThreadLocal.withInitial(RouteScratch::new);

        final ArrayList<Subscription> matched = new ArrayList<>();
        final ArrayList<SubscriptionTree.SharedGroup> groups = new ArrayList<>(0);
        String publisher;
        private boolean inUse;

        static RouteScratch take() {
            RouteScratch s = PER_THREAD.get();
            if (s.inUse) {
                s = new RouteScratch();
            }
            s.inUse = true;
            return s;
        }

        void release() {
            // a burst to many subscribers must not pin a huge array for the thread's lifetime
            if (matched.size() > 1024) {
                matched.clear();
                matched.trimToSize();
            } else {
                matched.clear();
            }
            groups.clear();
            publisher = null;
            inUse = false;
        }

        @Override
        public void subscription(Subscription s) {
            if (s.noLocal() && publisher != null && publisher.equals(s.session().clientId)) {
                return;
            }
            matched.add(s);
        }

        @Override
        public void sharedGroup(SubscriptionTree.SharedGroup group) {
            groups.add(group);
        }
    }

    private boolean deliverShared(Message message, SubscriptionTree.SharedGroup group, Session excluded,
            String messageId) {
        Subscription member = group.pick(excluded);
        if (member == null) {
            return false;
        }
        Session session = member.session();
        int[] ids = member.subscriptionId() == 0 ? null : new int[] {member.subscriptionId()};
        Delivery d = new Delivery(message, Math.min(message.qos(), member.qos()),
                member.retainAsPublished() && message.retain(), ids, group);
        d.clusterId = messageId;
        session.submitDelivery(d);
        return true;
    }

    /** A shared-subscription message whose member left before acknowledging it goes to another member. */
    void redeliverShared(Delivery d, Session leaving) {
        if (!deliverShared(d.message, d.sharedGroup, leaving, d.clusterId)) {
            LOG.info("Client '{}' left its shared subscription {} with an unacknowledged message and no other "
                    + "member to take it; dropped", leaving.clientId, d.sharedGroup);
            traffic.dropped(DropReason.NO_SUBSCRIBER_LEFT);
        }
    }
}
