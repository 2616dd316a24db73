package io.meridianmq.management.internal.commands;

import io.meridianmq.broker.Broker;
import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** {@code meridian:stats}: the broker's main figures now (the same as on /metrics and $SYS). */
@Service
@Command(scope = "meridian", name = "stats", description = "Shows the broker's main figures")
public class StatsCommand extends ConsoleCommand {

    @Reference
    Broker broker;

    @Override
    public Object execute() {
        BrokerStatistics s = broker.statistics();
        String node = broker.clusterNode();
        if (node != null) {
            // in a cluster these are this node's figures: say which node, and what it sees of the cluster
            out().printf("%-40s %s%n", "cluster node (figures below are its own)", node);
            broker.clusterFigures().forEach((name, value) -> line("cluster " + name.replace('_', ' '), value));
        }
        line("sessions online", s.sessionsOnline());
        line("sessions offline", s.sessionsOffline());
        line("sessions expired", s.sessionsExpired());
        line("subscriptions", s.subscriptions());
        line("shared subscriptions", s.sharedSubscriptions());
        line("retained messages", s.retainedMessages());
        line("retained payload bytes", s.retainedBytes());
        line("messages in flight", s.inflightMessages());
        line("messages queued", s.queuedMessages());
        for (int qos = 0; qos <= 2; qos++) {
            line("messages received QoS " + qos, s.messagesReceived(qos));
            line("messages sent QoS " + qos, s.messagesSent(qos));
        }
        for (DropReason r : DropReason.values()) {
            line("dropped: " + r.label(), s.dropped(r));
        }
        s.authenticationFailures().forEach((method, n) -> line("failed logins: " + method, n));
        s.authorizationDenials().forEach((action, n) -> line("denied: " + action, n));
        return null;
    }

    private void line(String what, long value) {
        out().printf("%-40s %d%n", what, value);
    }
}
