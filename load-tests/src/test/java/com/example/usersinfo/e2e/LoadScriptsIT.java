package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every k6 script of load-tests/src/test/k6 runs against the service on kind through {@link K6Load}, with the
 * thresholds it ships: smoke as written, the longer ones shortened through their environment (the same
 * variables that size them against EKS or ECS), so a broken script or a broken request fails here and not
 * in someone's load test. Each run's figures go to the e2e report.
 */
@ExtendWith(KindDiagnostics.class)
class LoadScriptsIT {

    private static final E2eReport.Section REPORT = E2eReport.section("20-load-scripts", "k6 scripts, shortened runs on kind")
            .text("""
                    Each script of load-tests/src/test/k6 against the kind NodePort with its own thresholds, shortened \
                    through its environment (LoadScriptsIT). Full-length runs and their command lines: docs/load-tests.md.""")
            .table("runs", "script", "environment", "requests", "failed", "checks", "p95", "p99", "duration");

    @BeforeAll
    static void deployed() throws Exception {
        KindDeployment.deploy();
    }

    @Test
    void smokeRunsEveryOperationWithoutASingleError() {
        K6Summary summary = run("smoke.js", Map.of("DURATION", "5s"));

        assertThat(summary.iterations()).as("smoke iterations").isPositive();
        // Hello, create, get, list, update, verify twice, delete, get the deleted user: 9 requests each.
        assertThat(summary.requests()).as("requests of %d iterations", summary.iterations())
                .isGreaterThanOrEqualTo(9 * summary.iterations());
        assertThat(summary.failedRequests()).as("failed requests").isZero();
        assertThat(summary.checksFailed()).as("failed checks").isZero();
    }

    @Test
    void averageLoadMeetsItsThresholds() {
        K6Summary summary = run("average.js", Map.of("VUS", "5", "RAMP", "2s", "DURATION", "6s"));

        assertThat(summary.iterations()).as("iterations").isGreaterThan(20);
    }

    @Test
    void spikeRecoversWithinItsThresholds() {
        K6Summary summary = run("spike.js", Map.of("VUS", "2", "SPIKE_VUS", "10", "BASELINE", "3s", "EDGE", "2s",
                "SPIKE", "5s", "RECOVERY", "5s"));

        assertThat(summary.latency("http_req_duration{scenario:recovery}").count()).as("requests after the spike")
                .isPositive();
    }

    @Test
    void soakHoldsItsArrivalRate() {
        K6Summary summary = run("soak-lite.js", Map.of("RATE", "10", "DURATION", "10s"));

        assertThat(summary.droppedIterations()).as("iterations k6 could not start on time").isZero();
        assertThat(summary.iterations()).as("iterations at 10/s for 10 s").isBetween(90L, 110L);
    }

    @Test
    void passwordVerifyRampRunsItsThreePhases() {
        K6Summary summary = run("password-verify-ramp.js", Map.of("WARMUP_RATE", "2", "WARMUP", "3s", "RATE", "4",
                "RAMP", "3s", "SCALE_OUT", "3s", "SETTLED", "4s"));

        for (String phase : new String[] {"warmup", "ramp", "settled"}) {
            assertThat(summary.latency("http_req_duration{scenario:" + phase + "}").count())
                    .as("requests in phase %s", phase).isPositive();
        }
    }

    /** Runs SCRIPT with ENV, records it in the report, and asserts what every script promises. */
    private static K6Summary run(String script, Map<String, String> env) {
        K6Summary summary;
        try (K6Load k6 = K6Load.script(script).limit(Duration.ofMinutes(2))) {
            env.forEach(k6::env);
            summary = k6.run();
        }
        System.out.println(summary.describe());
        K6Summary.Latency latency = summary.latency();
        REPORT.row("runs", script, new TreeMap<>(env).toString(), Long.toString(summary.requests()), E2eReport.percent(summary.failedRate()),
                summary.checksPassed() + "/" + (summary.checksPassed() + summary.checksFailed()),
                E2eReport.millis(latency.p95()), E2eReport.millis(latency.p99()), E2eReport.seconds(summary.elapsed()))
                .write();

        assertThat(summary.crossedThresholds()).as("%s: crossed thresholds", summary.describe()).isEmpty();
        assertThat(summary.exitCode()).as("%s: k6's exit status", summary.describe()).isZero();
        assertThat(summary.requests()).as("requests").isPositive();
        return summary;
    }
}
