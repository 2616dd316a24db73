package io.meridianmq.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * kill -9 of a cluster node under continuous QoS 1 and QoS 2 load, with the persistent sessions
 * of the subscribers on that node: the subscribers (Paho 3.1.1, their client state kept) connect
 * to a surviving node and receive every message a publisher had acknowledged, QoS 2 ones once
 * only. Publishers sit on every node, the killed one too: what it acknowledged before dying was
 * held by another node already.
 */
public class ClusterFailoverTest {

    @ClassRule
    public static final ClusterNodes CLUSTER = new ClusterNodes(3);

    @Test
    public void noAcknowledgedMessageIsLostWhenTheNodeOfTheSessionsIsKilled() throws Exception {
        String base = "failover-" + UUID.randomUUID().toString().substring(0, 8);
        BrokerProcess doomed = CLUSTER.node(0);
        String[] doomedFirst = {doomed.uri(), CLUSTER.node(2).uri(), CLUSTER.node(1).uri()};
        PersistentSubscriber atLeastOnce = new PersistentSubscriber(doomedFirst, base + "-q1", null);
        PersistentSubscriber exactlyOnce = new PersistentSubscriber(doomedFirst, base + "-q2", null);
        atLeastOnce.connect();
        atLeastOnce.client.subscribe(base + "/q1/#", 1);
        exactlyOnce.connect();
        exactlyOnce.client.subscribe(base + "/q2/#", 2);

        List<NumberedPublisher> publishers = List.of(
                new NumberedPublisher(CLUSTER.node(1).uri(), base + "-p1", base + "/q1/b", 1, 2),
                new NumberedPublisher(CLUSTER.node(2).uri(), base + "-p2", base + "/q2/c", 2, 3),
                new NumberedPublisher(doomed.uri(), base + "-p0", base + "/q1/a", 1, 2));
        publishers.forEach(NumberedPublisher::start);
        try {
            Awaitility.await("traffic across the nodes").atMost(Duration.ofSeconds(60))
                    .until(() -> publishers.stream().allMatch(p -> p.acknowledged.size() >= 100));

            doomed.kill();
            // the subscribers lost their node: they connect to a survivor (Paho tries the next URI)
            Awaitility.await("the subscribers connect to a surviving node").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(MqttException.class).until(() -> {
                        atLeastOnce.reconnectIfLost();
                        exactlyOnce.reconnectIfLost();
                        return atLeastOnce.client.isConnected() && exactlyOnce.client.isConnected();
                    });
            // traffic goes on from the survivors after the failover
            int after = publishers.get(0).acknowledged.size() + 200;
            Awaitility.await("traffic after the failover").atMost(Duration.ofSeconds(90))
                    .until(() -> publishers.get(0).acknowledged.size() >= after);
        } finally {
            for (NumberedPublisher p : publishers) {
                p.stop();
            }
        }
        Set<String> q1 = new java.util.HashSet<>(publishers.get(0).acknowledged);
        q1.addAll(publishers.get(2).acknowledged);
        Set<String> q2 = publishers.get(1).acknowledged;
        try {
            Awaitility.await("every acknowledged message arrives").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> atLeastOnce.missing(q1).isEmpty() && exactlyOnce.missing(q2).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException notAll) {
            // the assertions below say which
        }
        assertTrue("QoS 1 messages lost (" + atLeastOnce.missing(q1).size() + " of " + q1.size() + "): "
                + atLeastOnce.missing(q1) + "; arrivals: " + atLeastOnce.arrivals(base + "-p1-1"),
                atLeastOnce.missing(q1).isEmpty());
        assertTrue("QoS 2 messages lost (" + exactlyOnce.missing(q2).size() + " of " + q2.size() + "): "
                + exactlyOnce.missing(q2) + "; delivered twice: " + exactlyOnce.duplicates() + "; arrivals: "
                + exactlyOnce.arrivals(base + "-p2-9") + exactlyOnce.arrivals(base + "-p2-1"),
                exactlyOnce.missing(q2).isEmpty());
        assertEquals("QoS 2 messages delivered twice", List.of(), exactlyOnce.duplicates());
        assertTrue("the killed node's publisher had its messages acknowledged", publishers.get(2).acknowledged.size() >= 100);
        atLeastOnce.close();
        exactlyOnce.close();
    }
}
