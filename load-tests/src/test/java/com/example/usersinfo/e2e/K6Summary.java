package com.example.usersinfo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * k6's machine-readable end-of-test summary ({@code --summary-export}) of one run, typed for assertions.
 * In that format a Rate metric counts its true samples as {@code passes} (for {@code http_req_failed}: the
 * failed requests), and each threshold maps to {@code true} when it was crossed.
 *
 * @param script   the script that ran
 * @param exitCode k6's exit status: 0, 99 when thresholds were crossed (k6's other codes: errors)
 * @param elapsed  wall time from the container's start to k6's exit
 * @param json     the whole summary, for what the accessors do not cover
 */
record K6Summary(String script, int exitCode, Duration elapsed, JsonNode json) {

    /** k6's exit status when one or more thresholds were crossed. */
    static final int THRESHOLDS_CROSSED = 99;

    /** Trend statistics of {@code http_req_duration} or a sub-metric of it, in milliseconds. */
    record Latency(long count, double avg, double med, double p90, double p95, double p99, double max) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p95 %.1f ms, p99 %.1f ms, max %.1f ms (%d requests)", p95, p99, max, count);
        }
    }

    long requests() {
        return metric("http_reqs").path("count").asLong();
    }

    long failedRequests() {
        return metric("http_req_failed").path("passes").asLong();
    }

    /** Failed requests / all requests (k6's http_req_failed: errors, timeouts and unexpected statuses). */
    double failedRate() {
        return metric("http_req_failed").path("value").asDouble();
    }

    long checksPassed() {
        return metric("checks").path("passes").asLong();
    }

    long checksFailed() {
        return metric("checks").path("fails").asLong();
    }

    long iterations() {
        return metric("iterations").path("count").asLong();
    }

    /** Iterations an arrival-rate executor could not start for lack of VUs (0 when none were dropped). */
    long droppedIterations() {
        return json.path("metrics").path("dropped_iterations").path("count").asLong(0);
    }

    /** Latency of every request. */
    Latency latency() {
        return latency("http_req_duration");
    }

    /**
     * Latency of a sub-metric the script declared a threshold on, e.g.
     * {@code http_req_duration{scenario:settled}} (k6 summarises only those).
     */
    Latency latency(String metric) {
        JsonNode trend = metric(metric);
        return new Latency(trend.path("count").asLong(), stat(trend, "avg"), stat(trend, "med"), stat(trend, "p(90)"),
                stat(trend, "p(95)"), stat(trend, "p(99)"), stat(trend, "max"));
    }

    /** Every threshold as "metric: expression" → crossed. */
    Map<String, Boolean> thresholds() {
        Map<String, Boolean> thresholds = new LinkedHashMap<>();
        json.path("metrics").properties().forEach(metric -> metric.getValue().path("thresholds").properties()
                .forEach(threshold -> thresholds.put(metric.getKey() + ": " + threshold.getKey(), threshold.getValue().asBoolean())));
        return thresholds;
    }

    List<String> crossedThresholds() {
        List<String> crossed = new ArrayList<>();
        thresholds().forEach((threshold, failed) -> {
            if (failed) {
                crossed.add(threshold);
            }
        });
        return crossed;
    }

    /** One line for logs and reports. */
    String describe() {
        return String.format(Locale.ROOT, "%s: exit %d after %d s, %d requests, %d failed (%.2f %%), checks %d/%d, %s%s",
                script, exitCode, elapsed.toSeconds(), requests(), failedRequests(), failedRate() * 100, checksPassed(),
                checksPassed() + checksFailed(), latency(), crossedThresholds().isEmpty() ? "" : ", crossed: " + crossedThresholds());
    }

    private JsonNode metric(String name) {
        JsonNode metric = json.path("metrics").path(name);
        if (metric.isMissingNode()) {
            throw new AssertionError("k6's summary of " + script + " has no metric " + name + " (metrics: "
                    + iterable(json.path("metrics").fieldNames()) + ")");
        }
        return metric;
    }

    private static double stat(JsonNode trend, String name) {
        JsonNode value = trend.path(name);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
