package com.example.usersinfo.web;

import io.micronaut.context.propagation.slf4j.MdcPropagationContext;
import io.micronaut.core.annotation.Order;
import io.micronaut.core.order.Ordered;
import io.micronaut.core.propagation.MutablePropagatedContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Gives every request an id — the caller's X-Request-Id when it is sane, a new UUID otherwise — puts it in
 * the MDC of every log line written while handling the request, and echoes it in the response.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
@Order(Ordered.HIGHEST_PRECEDENCE)
final class RequestIdFilter {

    static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "request_id";
    /** Caller-supplied ids end up in logs: accept only short, plain tokens, never log-injection material. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @RequestFilter
    void assignId(HttpRequest<?> request, MutablePropagatedContext context) {
        String offered = request.getHeaders().get(HEADER);
        String id = offered != null && SAFE_ID.matcher(offered).matches() ? offered : UUID.randomUUID().toString();
        request.setAttribute(MDC_KEY, id);
        context.add(new MdcPropagationContext(Map.of(MDC_KEY, id)));
    }

    @ResponseFilter
    void echoId(HttpRequest<?> request, MutableHttpResponse<?> response) {
        request.getAttribute(MDC_KEY, String.class).ifPresent(id -> response.header(HEADER, id));
    }
}
