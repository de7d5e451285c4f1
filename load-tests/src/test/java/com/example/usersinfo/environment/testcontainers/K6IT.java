package com.example.usersinfo.environment.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.k6.K6Container;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The k6 image ({@code k6.image}) under Testcontainers' K6Container, as the load suites use it: a script runs
 * against a container this test starts on a shared network (reached by its alias, no port published to the
 * host), and the assertions read k6's machine-readable summary ({@code --summary-export}), copied out of the
 * exited container. {@link OneShotStartupCheckStrategy} makes {@code start()} wait for k6 to exit and fail
 * on any exit status but 0, which is how a crossed threshold (exit 99) fails a test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class K6IT {

    private static final String RESOURCES = "com/example/usersinfo/environment/testcontainers/";
    private static final String SUMMARY = "/home/k6/summary.json";

    private Network network;
    private GenericContainer<?> target;

    @BeforeAll
    void startTarget() {
        // Any HTTP server of the project's images: Prometheus answers /-/healthy.
        String targetImage = TestImages.require("prometheus.image");
        network = Network.newNetwork();
        target = new GenericContainer<>(DockerImageName.parse(targetImage))
                .withNetwork(network)
                .withNetworkAliases("target")
                .withExposedPorts(9090)
                .waitingFor(Wait.forHttp("/-/ready").forPort(9090));
        target.start();
    }

    @AfterAll
    void stopTarget() {
        if (target != null) {
            target.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    private K6Container k6(String script) {
        // K6Container accepts grafana/k6 only; the local image declares itself a substitute.
        DockerImageName image = DockerImageName.parse(TestImages.require("k6.image")).asCompatibleSubstituteFor("grafana/k6");
        return new K6Container(image)
                .withNetwork(network)
                .withTestScript(MountableFile.forClasspathResource(RESOURCES + script))
                .withScriptVar("TARGET", "http://target:9090")
                .withCmdOptions("--no-usage-report", "--summary-export=" + SUMMARY)
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(1)));
    }

    @Test
    void scriptRunsAgainstAContainerOnTheSharedNetworkAndItsSummaryIsRead() {
        try (K6Container k6 = k6("health-check.js")) {
            k6.start();

            JsonNode summary = k6.copyFileFromContainer(SUMMARY, Http.JSON::readTree);

            assertThat(summary.at("/metrics/http_reqs/count").asInt()).as("requests made").isEqualTo(20);
            assertThat(summary.at("/metrics/checks/passes").asInt()).as("checks passed").isEqualTo(40);
            assertThat(summary.at("/metrics/checks/fails").asInt()).as("checks failed").isZero();
            assertThat(summary.at("/metrics/http_req_failed/value").asDouble()).as("failed request rate").isZero();
            assertThat(k6.getLogs()).contains("checks_succeeded");
        }
    }

    @Test
    void crossedThresholdFailsTheStart() {
        // Testcontainers removes a container that failed to start: its output is kept by a consumer.
        ToStringConsumer output = new ToStringConsumer();
        try (K6Container k6 = k6("failing-check.js").withLogConsumer(output)) {
            assertThatThrownBy(k6::start).isInstanceOf(ContainerLaunchException.class);

            assertThat(output.toUtf8String()).contains("thresholds on metrics 'checks' have been crossed");
        }
    }
}
