package io.meridianmq.management.internal.api;

import java.util.LinkedHashMap;
import java.util.Map;

import io.meridianmq.broker.BrokerStatistics;
import io.meridianmq.broker.DropReason;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.protocol.ConnectionStatistics;
import io.meridianmq.protocol.MqttPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;

/** {@code /stats}: the broker's main figures now, for the console's overview and scripts. */
final class StatsResource extends ApiResource {

    StatsResource(RunningBroker running) {
        super(running);
    }

    @Override
    FullHttpResponse answer(ApiRequest r) throws ApiProblem {
        r.onlyTheResource(HttpMethod.GET);
        BrokerStatistics s = broker().statistics();
        MqttPipeline protocol = running().protocol();
        ConnectionStatistics c = protocol == null ? null : protocol.statistics();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connections", c == null ? 0 : c.connectionsByListener().values().stream().mapToLong(Long::longValue).sum());
        m.put("sessionsOnline", s.sessionsOnline());
        m.put("sessionsOffline", s.sessionsOffline());
        m.put("subscriptions", s.subscriptions());
        m.put("retainedMessages", s.retainedMessages());
        m.put("queuedMessages", s.queuedMessages());
        m.put("inflightMessages", s.inflightMessages());
        m.put("messagesReceived", s.messagesReceived(0) + s.messagesReceived(1) + s.messagesReceived(2));
        m.put("messagesSent", s.messagesSent(0) + s.messagesSent(1) + s.messagesSent(2));
        long dropped = c == null ? 0 : c.droppedTooLarge() + c.droppedSlowReader();
        for (DropReason reason : DropReason.values()) {
            dropped += s.dropped(reason);
        }
        m.put("messagesDropped", dropped);
        return r.ok(m);
    }
}
