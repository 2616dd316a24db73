package io.meridianmq.management.internal.api;

import io.meridianmq.broker.Broker;
import io.meridianmq.management.internal.RunningBroker;
import io.meridianmq.sdk.service.BrokerServices;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One family of REST API resources (clients, bans, ...): answers the requests whose first path
 * segment names it. Authentication and the audit log are {@link ApiRoutes}' job.
 *
 * <p>Threading: the management server's thread.
 */
abstract class ApiResource {

    private final RunningBroker running;

    ApiResource(RunningBroker running) {
        this.running = running;
    }

    /** Answers {@code r}, or throws what is wrong with it. */
    abstract FullHttpResponse answer(ApiRequest r) throws ApiProblem;

    Broker broker() throws ApiProblem {
        Broker b = running.broker();
        if (b == null) {
            throw unavailable();
        }
        return b;
    }

    BrokerServices services() throws ApiProblem {
        BrokerServices s = running.services();
        if (s == null) {
            throw unavailable();
        }
        return s;
    }

    RunningBroker running() {
        return running;
    }

    private static ApiProblem unavailable() {
        return new ApiProblem(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker core is not running");
    }
}
