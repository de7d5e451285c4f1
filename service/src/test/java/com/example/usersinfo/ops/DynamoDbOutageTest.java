package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.RunningService;
import com.example.usersinfo.config.UsersTable;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * DynamoDB goes away mid-test and comes back: requests get 503 with Retry-After (bounded retries, no hang),
 * health and readiness report the table DEGRADED and still answer 200 (the pod keeps taking traffic, so the outage
 * is counted as 5xx: UsersTableHealthIndicator says why), and everything recovers without restarting the service.
 */
@MicronautTest
class DynamoDbOutageTest extends RunningService {

    @Inject
    UsersTable table;

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "users-info.dynamodb.max-attempts", "3",
                "users-info.dynamodb.attempt-timeout", "300ms",
                "users-info.dynamodb.call-timeout", "1s",
                "users-info.dynamodb.retry-after", "7s");
    }

    @Test
    void outageGives503AndReportsTheTableDegradedWhileStayingReadyThenRecoversWithoutRestart() {
        assertThat(api.get("/health/readiness").status()).isEqualTo(200);

        dynamoDb.suspend();
        try {
            long start = System.nanoTime();
            Reply during = api.post("/users", newUser());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(during.status()).as(during.toString()).isEqualTo(503);
            assertThat(during.header("Retry-After")).isEqualTo("7");
            assertThat(during.header("Content-Type")).startsWith("application/problem+json");
            assertThat(during.body()).doesNotContain("Exception").doesNotContain("127.0.0.1");
            assertThat(took).as("bounded by call-timeout, not hanging").isLessThan(Duration.ofSeconds(3));
            assertThat(api.get("/users/" + UUID.randomUUID()).status()).isEqualTo(503);

            for (String path : new String[] {"/health", "/health/readiness"}) {
                Reply health = api.get(path);
                assertThat(health.status()).as("%s: the pod stays in the Service, its 503s are counted", path).isEqualTo(200);
                assertThat(health.map()).as(path).containsEntry("status", "DEGRADED")
                        .extractingByKey("details").extracting("usersTable").extracting("status").isEqualTo("DEGRADED");
            }
            assertThat(api.get("/health/liveness").status()).as("an outage is no reason to restart").isEqualTo(200);
            assertThat(api.get("/prometheus").body())
                    .containsPattern("dynamodb_client_calls_seconds_count\\{[^}]*outcome=\"error\"");
        } finally {
            dynamoDb.resume();
        }
        // DynamoDB Local keeps data in memory: after the restart the table must be created again, as an
        // operator would restore it. A real table outlives an outage.
        table.createIfMissing();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.get("/health/readiness").map()).containsEntry("status", "UP"));
        assertThat(api.post("/users", newUser()).status()).isEqualTo(201);
    }

    private static String newUser() {
        return "{\"email\":\"" + UUID.randomUUID() + "@example.com\",\"name\":\"Outage\"}";
    }
}
