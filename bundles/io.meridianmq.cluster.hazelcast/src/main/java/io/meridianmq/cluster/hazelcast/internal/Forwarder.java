package io.meridianmq.cluster.hazelcast.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;

import io.meridianmq.cluster.ClusterFabric;
import io.meridianmq.cluster.ClusterNode;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a message published on this node to the other nodes with a matching route, once per
 * node, on that node's own Hazelcast topic (which keeps the order of one sender's messages), and
 * hands what other nodes send here to the local broker. Shared groups with members on several
 * nodes get each message on one node, in turn.
 *
 * <p>Thread-safe: {@link #forward} runs on publishers' network threads and never blocks (a
 * topic publish is fire-and-forget); frames arrive on Hazelcast's event threads.
 */
final class Forwarder {

    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    static final String TOPIC_PREFIX = "meridian.forward.";

    private final String self;
    private final RouteTrie routes;
    private final HazelcastInstance hazelcast;
    private final Map<String, ITopic<byte[]>> topics = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    /** QoS 1/2 messages sent and not yet confirmed, by id: the node and what waits. */
    private final Map<Long, Unconfirmed> unconfirmed = new ConcurrentHashMap<>();
    /** Nodes that left the cluster (their routes may linger while their sessions move). */
    private final Set<String> departed = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    /** Numbers the messages this node forwards (with its id: the message's id in the cluster). */
    private final java.util.concurrent.atomic.AtomicLong messageIds = new java.util.concurrent.atomic.AtomicLong();
    private final java.time.Duration confirmTimeout;

    private record Unconfirmed(String node, CompletableFuture<Boolean> stored) {
    }

    private static final byte MESSAGE = 0;
    private static final byte CONFIRMATION = 1;
    private static final byte ROUTES = 2;
    private final LongAdder received = new LongAdder();
    /** Where frames for this node go; set while the broker uses the fabric. */
    private volatile ClusterNode node;
    private UUID listener; // written at start and stop, by the component's thread

    Forwarder(String self, RouteTrie routes, HazelcastInstance hazelcast, java.time.Duration confirmTimeout) {
        this.confirmTimeout = confirmTimeout;
        this.self = self;
        this.routes = routes;
        this.hazelcast = hazelcast;
    }

    void start(ClusterNode target) {
        node = target;
        ITopic<byte[]> own = hazelcast.getTopic(TOPIC_PREFIX + self);
        listener = own.addMessageListener(m -> receive(m.getMessageObject()));
    }

    void stop() {
        node = null;
        if (listener != null) {
            hazelcast.getTopic(TOPIC_PREFIX + self).removeMessageListener(listener);
            listener = null;
        }
    }

    long sent() {
        return sent.sum();
    }

    long received() {
        return received.sum();
    }

    /** QoS 1/2 messages (and route announcements) sent and not yet confirmed. */
    int unconfirmed() {
        return unconfirmed.size();
    }

    /** What one publish matched: the nodes to send to, and the shared groups each serves. */
    private static final CompletionStage<Boolean> CONFIRMED = ClusterFabric.Forwarding.CONFIRMED;

    private final class Plan implements RouteTrie.Visitor, ClusterFabric.Forwarding {
        Set<String> plain;
        Map<String, List<String>> groupsByNode;
        Set<String> servedElsewhere;
        int nodes;
        CompletionStage<Boolean> stored = CONFIRMED;
        String messageId;

        @Override
        public void plain(String n) {
            if (!n.equals(self)) {
                if (plain == null) {
                    plain = new HashSet<>(4);
                }
                plain.add(n);
            }
        }

        @Override
        public void shared(String route, Set<String> members) {
            String chosen = choose(route, members);
            if (chosen == null || chosen.equals(self)) {
                return;
            }
            if (groupsByNode == null) {
                groupsByNode = new HashMap<>(4);
                servedElsewhere = new HashSet<>(4);
            }
            groupsByNode.computeIfAbsent(chosen, k -> new ArrayList<>(1)).add(route);
            servedElsewhere.add(route);
        }

        @Override
        public boolean servesHere(String sharedRoute) {
            return servedElsewhere == null || !servedElsewhere.contains(sharedRoute);
        }

        @Override
        public int nodes() {
            return nodes;
        }

        @Override
        public CompletionStage<Boolean> stored() {
            return stored;
        }

        @Override
        public String messageId() {
            return messageId;
        }
    }

    /** The node whose turn it is for a shared group with members on {@code members}. */
    private String choose(String route, Set<String> members) {
        Object[] all = members.toArray();
        if (all.length == 0) {
            return null;
        }
        if (all.length == 1) {
            return (String) all[0];
        }
        java.util.Arrays.sort(all); // the same order on every call, whatever the set's
        int turn = turns.computeIfAbsent(route, k -> new AtomicInteger()).getAndIncrement();
        return (String) all[Math.floorMod(turn, all.length)];
    }

    ClusterFabric.Forwarding forward(String topic, boolean confirm, Supplier<byte[]> message) {
        Plan plan = new Plan();
        routes.match(topic, plan);
        if (plan.plain == null && plan.groupsByNode == null) {
            return plan;
        }
        Set<String> targets = new HashSet<>();
        if (plan.plain != null) {
            targets.addAll(plan.plain);
        }
        if (plan.groupsByNode != null) {
            targets.addAll(plan.groupsByNode.keySet());
        }
        byte[] bytes = message.get();
        plan.messageId = self + ":" + messageIds.incrementAndGet();
        List<CompletableFuture<Boolean>> confirmations = confirm ? new ArrayList<>(targets.size()) : null;
        for (String target : targets) {
            if (departed.contains(target)) {
                if (confirm) {
                    confirmations.add(CompletableFuture.completedFuture(false));
                }
                continue;
            }
            List<String> groups = plan.groupsByNode == null ? null : plan.groupsByNode.get(target);
            long id = 0;
            if (confirm) {
                id = ids.incrementAndGet();
                CompletableFuture<Boolean> stored = new CompletableFuture<>();
                unconfirmed.put(id, new Unconfirmed(target, stored));
                long key = id;
                confirmations.add(stored.completeOnTimeout(false, confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((ok, t) -> unconfirmed.remove(key)));
            }
            byte[] frame = frame(plan.plain != null && plan.plain.contains(target), groups, id, plan.messageId, bytes);
            topic(target).publish(frame);
            sent.increment();
        }
        plan.nodes = targets.size();
        if (confirm) {
            plan.stored = CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new))
                    .thenApply(all -> confirmations.stream().allMatch(CompletableFuture::join));
        }
        return plan;
    }

    /**
     * Tells every other node, directly, that this node has {@code added} routes now (a session
     * came here); completes with true once each has them in its route table.
     */
    CompletionStage<Boolean> announce(Set<String> added) {
        if (added.isEmpty()) {
            return CONFIRMED;
        }
        List<CompletableFuture<Boolean>> confirmations = new ArrayList<>();
        for (com.hazelcast.cluster.Member m : hazelcast.getCluster().getMembers()) {
            String target = m.getUuid().toString();
            if (m.localMember() || departed.contains(target)) {
                continue;
            }
            long id = ids.incrementAndGet();
            CompletableFuture<Boolean> applied = new CompletableFuture<>();
            unconfirmed.put(id, new Unconfirmed(target, applied));
            confirmations.add(applied.completeOnTimeout(false, confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((ok, t) -> unconfirmed.remove(id)));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(ROUTES);
                out.writeUTF(self);
                out.writeLong(id);
                out.writeInt(added.size());
                for (String route : added) {
                    out.writeUTF(route);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            topic(target).publish(bytes.toByteArray());
        }
        return CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new))
                .thenApply(all -> confirmations.stream().allMatch(CompletableFuture::join));
    }

    private ITopic<byte[]> topic(String node) {
        return topics.computeIfAbsent(node, t -> hazelcast.getTopic(TOPIC_PREFIX + t));
    }

    /** A node left the cluster: its topic goes. */
    /**
     * A node left the cluster: until its routes go (once its sessions continue elsewhere),
     * messages for it are not sent, and QoS 1/2 publishers are told they were not taken.
     */
    void forget(String gone) {
        departed.add(gone);
        topics.remove(gone);
        // what it had not confirmed it will never confirm: those publishers get a failure, not a PUBACK
        unconfirmed.values().stream().filter(u -> u.node.equals(gone)).forEach(u -> u.stored.complete(false));
    }

    private byte[] frame(boolean plain, List<String> groups, long confirmationId, String messageId, byte[] message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MESSAGE);
            out.writeUTF(self);
            out.writeLong(confirmationId);
            out.writeUTF(messageId);
            out.writeBoolean(plain);
            out.writeShort(groups == null ? 0 : groups.size());
            if (groups != null) {
                for (String g : groups) {
                    out.writeUTF(g);
                }
            }
            out.write(message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private void confirm(String origin, long id, boolean ok) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(CONFIRMATION);
            out.writeLong(id);
            out.writeBoolean(ok);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        topic(origin).publish(bytes.toByteArray());
    }

    private void receive(byte[] frame) {
        ClusterNode target = node;
        if (target == null) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            byte type = in.readByte();
            if (type == ROUTES) {
                String origin = in.readUTF();
                long id = in.readLong();
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    routes.add(origin, in.readUTF());
                }
                confirm(origin, id, true);
                return;
            }
            if (type == CONFIRMATION) {
                long id = in.readLong();
                boolean ok = in.readBoolean();
                Unconfirmed u = unconfirmed.get(id);
                if (u != null) {
                    u.stored.complete(ok);
                }
                return;
            }
            received.increment();
            String origin = in.readUTF();
            long id = in.readLong();
            String messageId = in.readUTF();
            boolean plain = in.readBoolean();
            int n = in.readUnsignedShort();
            Set<String> groups = n == 0 ? Set.of() : new HashSet<>(n * 2);
            for (int i = 0; i < n; i++) {
                groups.add(in.readUTF());
            }
            byte[] message = in.readAllBytes();
            CompletionStage<Boolean> stored = target.deliver(message, messageId, plain, groups);
            if (id != 0) {
                stored.whenComplete((ok, failure) -> confirm(origin, id, failure == null && Boolean.TRUE.equals(ok)));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("A message forwarded by another node could not be delivered here: {}", e.toString());
        }
    }
}
