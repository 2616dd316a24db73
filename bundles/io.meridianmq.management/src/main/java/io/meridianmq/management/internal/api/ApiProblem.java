package io.meridianmq.management.internal.api;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request's mistake (or the broker's absence), answered as a problem document with its status. */
final class ApiProblem extends Exception {

    final HttpResponseStatus status;

    ApiProblem(HttpResponseStatus status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }
}
