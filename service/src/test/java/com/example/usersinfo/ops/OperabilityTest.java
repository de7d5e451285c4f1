package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.RunningService;
import com.example.usersinfo.LogCapture;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Hello world, request ids, health, metrics and logs: what operators and the platform rely on. */
@MicronautTest
class OperabilityTest extends RunningService {

    private static final String ACCESS_LOG = "users-info.access";

    @Test
    void helloWorldNamesInstanceAndVersion() {
        Reply hello = api.get("/");

        assertThat(hello.status()).isEqualTo(200);
        assertThat(hello.header("Content-Type")).startsWith("application/json");
        assertThat(hello.map()).containsEntry("message", "Hello, World!");
        assertThat((String) hello.map().get("instance")).isNotBlank();
        assertThat((String) hello.map().get("version")).matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void requestIdIsEchoedWhenSaneAndReplacedOtherwise() {
        assertThat(api.get("/", "X-Request-Id", "trace-42.a_b").header("X-Request-Id")).isEqualTo("trace-42.a_b");

        String replaced = api.get("/", "X-Request-Id", "bad id with spaces {}").header("X-Request-Id");
        assertThat(UUID.fromString(replaced)).isNotNull();
        assertThat(UUID.fromString(api.get("/").header("X-Request-Id"))).isNotNull();
    }

    @Test
    void livenessAndReadinessAreUpWithTheTable() {
        Reply liveness = api.get("/health/liveness");
        assertThat(liveness.status()).isEqualTo(200);
        assertThat(liveness.body()).as("restarts would not bring the table back").doesNotContain("usersTable");
        Reply readiness = api.get("/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.map()).containsEntry("status", "UP")
                .extractingByKey("details").extracting("usersTable").extracting("status").isEqualTo("UP");
    }

    @Test
    void prometheusExposesRequestHistogramsJvmAndDynamoDbCalls() {
        String id = (String) api.post("/users", "{\"email\":\"" + UUID.randomUUID() + "@example.com\",\"name\":\"M\"}")
                .map().get("id");
        assertThat(api.get("/users/" + id).status()).isEqualTo(200);

        Reply metrics = api.get("/prometheus");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body())
                // The SLO rules need these exact bucket bounds (seconds) on the route template, not the raw path.
                .containsPattern("http_server_requests_seconds_bucket\\{[^}]*uri=\"/users/\\{id}\"[^}]*le=\"0\\.25\"")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*status=\"201\"")
                .doesNotContain("uri=\"/users/" + id + "\"")
                .contains("jvm_memory_used_bytes")
                .containsPattern("dynamodb_client_calls_seconds_count\\{[^}]*operation=\"GetItem\"[^}]*outcome=\"success\"");
    }

    @Test
    void logsCarryRequestIdsAndNeverPasswords() {
        String password = "secret-" + UUID.randomUUID();
        try (LogCapture logs = new LogCapture(ACCESS_LOG)) {
            Reply created = api.post("/users", "{\"email\":\"" + UUID.randomUUID() + "@example.com\",\"name\":\"L\","
                    + "\"password\":\"" + password + "\"}", "X-Request-Id", "log-test-1");
            String id = (String) created.map().get("id");
            api.post("/users/" + id + "/password/verify", "{\"password\":\"" + password + "x\"}");
            api.post("/users", "{\"email\":\"not-an-email\",\"name\":\"L\",\"password\":\"" + password + "\"}");

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(accessLines(logs.events()))
                    .anySatisfy(line -> assertThat(line).contains("\"POST /users HTTP/1.1\" 201").endsWith("log-test-1")));
            assertThat(logs.events()).allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .doesNotContain(password).doesNotContain("$argon2"));
        }
    }

    @Test
    void theAccessLogIsOffByDefault() {
        // One JSON line per request costs 44 % of GET / throughput (docs/benchmark.md); the access logger formats
        // nothing unless its logger is enabled: USERS_INFO_ACCESS_LOG_LEVEL=INFO.
        assertThat(LoggerFactory.getLogger(ACCESS_LOG).isInfoEnabled()).as("users-info.access at INFO").isFalse();
    }

    private static List<String> accessLines(List<ILoggingEvent> events) {
        return events.stream().filter(e -> e.getLoggerName().equals(ACCESS_LOG))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
