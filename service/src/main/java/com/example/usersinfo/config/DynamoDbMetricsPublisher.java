package com.example.usersinfo.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.stream.Stream;
import software.amazon.awssdk.core.metrics.CoreMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;

/**
 * Turns the AWS SDK's per-call metrics into Micrometer meters, exposed on /prometheus as
 * {@code dynamodb_client_calls_seconds} (histogram by operation and outcome), {@code dynamodb_client_retries_total}
 * and {@code dynamodb_client_errors_total} (by operation and SDK error type: Throttling, ServerError, IO, ...).
 */
@Singleton
final class DynamoDbMetricsPublisher implements MetricPublisher {

    private static final Duration[] BUCKETS = Stream.of(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
            .map(Duration::ofMillis).toArray(Duration[]::new);

    private final MeterRegistry registry;

    DynamoDbMetricsPublisher(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void publish(MetricCollection call) {
        String operation = first(call, CoreMetric.OPERATION_NAME, "unknown");
        boolean success = first(call, CoreMetric.API_CALL_SUCCESSFUL, false);
        Duration duration = first(call, CoreMetric.API_CALL_DURATION, Duration.ZERO);
        Timer.builder("dynamodb.client.calls")
                .description("DynamoDB calls including SDK retries")
                .tag("operation", operation)
                .tag("outcome", success ? "success" : "error")
                // Fixed buckets: enough for p99 and the DynamoDB latency alert, a dozen series per operation.
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(duration);
        int retries = first(call, CoreMetric.RETRY_COUNT, 0);
        if (retries > 0) {
            Counter.builder("dynamodb.client.retries").tag("operation", operation)
                    .register(registry).increment(retries);
        }
        // Each attempt is a child collection; failed ones carry the SDK's classification of the error.
        call.children().forEach(attempt -> attempt.metricValues(CoreMetric.ERROR_TYPE).forEach(type ->
                Counter.builder("dynamodb.client.errors")
                        .description("Failed DynamoDB attempts by SDK error type")
                        .tag("operation", operation)
                        .tag("type", type)
                        .register(registry).increment()));
    }

    private static <T> T first(MetricCollection call, software.amazon.awssdk.metrics.SdkMetric<T> metric, T fallback) {
        return call.metricValues(metric).stream().findFirst().orElse(fallback);
    }

    @Override
    public void close() {
        // Meters belong to the registry, which Micronaut closes.
    }
}
