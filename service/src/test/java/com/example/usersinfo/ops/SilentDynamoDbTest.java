package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.RunningService;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * DynamoDB that accepts connections and never answers, as when the packets to it are dropped (AlertingIT's
 * partition in kind; a security group or network ACL on AWS): every call waits for its timeouts, with the default
 * settings. Readiness must still answer within the readiness probe's timeout, reporting the table DEGRADED: a probe
 * that timed out would take every pod out of the Service at once (UsersTableHealthIndicator says why), which the
 * e2e suite caught in kind before health-timeout bounded readiness's DescribeTable.
 */
@MicronautTest
class SilentDynamoDbTest extends RunningService {

    /** The chart's readiness probe timeoutSeconds (infra-eks/chart/users-info/values.yaml). */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** Listens on loopback and never accepts: the kernel completes connections, nobody reads the requests. */
    private final ServerSocket silent = listenWithoutAnswering();

    @Override
    protected Map<String, String> settings() {
        return Map.of(
                "users-info.dynamodb.endpoint", "http://127.0.0.1:" + silent.getLocalPort(),
                "users-info.dynamodb.create-table", "false");
    }

    @Test
    void readinessAnswersDegradedWithinTheProbeTimeoutWhileRequestsWaitForTheCallTimeout() {
        long start = System.nanoTime();
        Reply readiness = api.get("/health/readiness");
        Duration readinessTook = Duration.ofNanos(System.nanoTime() - start);

        start = System.nanoTime();
        Reply request = api.get("/users/" + UUID.randomUUID());
        Duration requestTook = Duration.ofNanos(System.nanoTime() - start);

        assertThat(readiness.status()).as(readiness.toString()).isEqualTo(200);
        assertThat(readiness.map()).containsEntry("status", "DEGRADED");
        assertThat(readinessTook).as("readiness, bounded by health-timeout (1 s)").isLessThan(PROBE_TIMEOUT);
        assertThat(request.status()).as(request.toString()).isEqualTo(503);
        assertThat(requestTook).as("a request, bounded by call-timeout (3 s): what readiness would take without its own bound")
                .isGreaterThan(PROBE_TIMEOUT);
    }

    @AfterAll
    void closeSocket() throws IOException {
        silent.close();
    }

    private static ServerSocket listenWithoutAnswering() {
        try {
            return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
