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
import java.util.concurrent.ConcurrentHashMap;
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
    private final LongAdder received = new LongAdder();
    /** Where frames for this node go; set while the broker uses the fabric. */
    private volatile ClusterNode node;
    private UUID listener; // written at start and stop, by the component's thread

    Forwarder(String self, RouteTrie routes, HazelcastInstance hazelcast) {
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

    /** What one publish matched: the nodes to send to, and the shared groups each serves. */
    private final class Plan implements RouteTrie.Visitor, ClusterFabric.Forwarding {
        Set<String> plain;
        Map<String, List<String>> groupsByNode;
        Set<String> servedElsewhere;
        int nodes;

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

    ClusterFabric.Forwarding forward(String topic, Supplier<byte[]> message) {
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
        for (String target : targets) {
            List<String> groups = plan.groupsByNode == null ? null : plan.groupsByNode.get(target);
            byte[] frame = frame(plan.plain != null && plan.plain.contains(target), groups, bytes);
            topics.computeIfAbsent(target, t -> hazelcast.getTopic(TOPIC_PREFIX + t)).publish(frame);
            sent.increment();
        }
        plan.nodes = targets.size();
        return plan;
    }

    /** A node left the cluster: its topic goes. */
    void forget(String gone) {
        topics.remove(gone);
    }

    private static byte[] frame(boolean plain, List<String> groups, byte[] message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length + 16);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
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

    private void receive(byte[] frame) {
        ClusterNode target = node;
        if (target == null) {
            return;
        }
        received.increment();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            boolean plain = in.readBoolean();
            int n = in.readUnsignedShort();
            Set<String> groups = n == 0 ? Set.of() : new HashSet<>(n * 2);
            for (int i = 0; i < n; i++) {
                groups.add(in.readUTF());
            }
            byte[] message = in.readAllBytes();
            target.deliver(message, plain, groups);
        } catch (IOException | RuntimeException e) {
            LOG.warn("A message forwarded by another node could not be delivered here: {}", e.toString());
        }
    }
}
