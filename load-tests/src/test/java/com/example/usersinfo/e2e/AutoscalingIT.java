package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The platform's scaling promise on the kind cluster: the chart as deploy-kind installs it (ci/kind-values.yaml:
 * HPA on 80 % of a 200m CPU request, min 1, max 4, scale-down stabilization 30 s), driven by k6's
 * password-verify ramp (an Argon2id hash per request, ~55 ms of CPU each), scales out while no request fails,
 * serves within its latency threshold once scaled out, and scales back in to the minimum once the load stops,
 * within the stabilization window plus what metrics-server and the HPA's sync add.
 *
 * <p>The run goes to the e2e report (section "10-autoscaling"): figures, a CSV timeline sampled every 3 s by
 * {@link ServiceSampler} and a plot of replicas, load and latency. On failure {@link KindDiagnostics} prints
 * the HPA, events, pods, logs, alerts and Alertmanager's status.
 */
@ExtendWith(KindDiagnostics.class)
class AutoscalingIT {

    // The ramp (password-verify-ramp.js): 12 verifies/s need ~660m of CPU, 3.3 times the 200m request of one
    // pod, so the HPA's first decision asks for 5 pods and gets its maximum, 4 (at 4 pods: ~83 %).
    private static final int WARMUP_RATE = 2;
    private static final int RATE = 12;
    private static final Duration WARMUP = Duration.ofSeconds(15);
    private static final Duration RAMP = Duration.ofSeconds(20);
    private static final Duration SCALE_OUT = Duration.ofSeconds(65);
    private static final Duration SETTLED = Duration.ofSeconds(30);
    private static final int P95_MS = 500;
    private static final int P99_MS = 1000;
    private static final int SCALED_OUT = 3;
    // What the HPA adds to its scale-down stabilization window before replicas fall: metrics-server's
    // resolution (15 s, infra-eks/addons/metrics-server) twice, since the CPU rate spans two scrapes, and the
    // HPA controller's sync period (15 s, kube-controller-manager's default).
    private static final Duration METRICS_AND_SYNC = Duration.ofSeconds(2 * 15 + 15);
    private static final Duration SAMPLE_PERIOD = Duration.ofSeconds(3);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final KubernetesClient kubernetes = client();

    @Test
    void passwordVerifyRampScalesOutWithoutFailuresAndBackToTheMinimumAfterTheWindow() throws Exception {
        KindDeployment.deploy();
        HorizontalPodAutoscaler hpa = hpa();
        int min = hpa.getSpec().getMinReplicas();
        int max = hpa.getSpec().getMaxReplicas();
        Duration window = Duration.ofSeconds(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds());
        Duration scaleInBudget = window.plus(METRICS_AND_SYNC);
        assertThat(min).as("HPA minReplicas (ci/kind-values.yaml)").isEqualTo(1);
        assertThat(max).as("HPA maxReplicas (ci/kind-values.yaml)").isGreaterThanOrEqualTo(SCALED_OUT);
        // An earlier test may have left more replicas; a new pod has no CPU reading for the HPA yet.
        Instant waitStart = Instant.now();
        Instant atMinimum = until("the HPA at its minimum with a CPU reading, one Ready pod",
                Instant.now().plus(scaleInBudget).plus(Duration.ofSeconds(90)),
                () -> atMinimum(min) && cpuUtilization(hpa()) != null);

        Run run = new Run();
        E2eReport.Section report = E2eReport.section("10-autoscaling", "Autoscaling under a password-verify ramp (AutoscalingIT)");
        Duration waitedForMinimum = Duration.between(waitStart, atMinimum);
        Set<String> podsBefore = new HashSet<>(ServiceSampler.running(kubernetes).stream().map(p -> p.getMetadata().getName()).toList());
        try (ServiceSampler sampler = ServiceSampler.start(SAMPLE_PERIOD);
             K6Load k6 = K6Load.script("password-verify-ramp.js")
                     .env("WARMUP_RATE", Integer.toString(WARMUP_RATE)).env("WARMUP", seconds(WARMUP))
                     .env("RATE", Integer.toString(RATE)).env("RAMP", seconds(RAMP))
                     .env("SCALE_OUT", seconds(SCALE_OUT)).env("SETTLED", seconds(SETTLED))
                     .env("P95_MS", Integer.toString(P95_MS)).env("P99_MS", Integer.toString(P99_MS))
                     .limit(WARMUP.plus(RAMP).plus(SCALE_OUT).plus(SETTLED).plus(Duration.ofSeconds(90)))) {
            run.sampler = sampler;
            try {
                k6.start();
                run.rampStart = k6.awaitOutput("warmup starts", Duration.ofMinutes(1)).plus(WARMUP);
                run.settledStart = run.rampStart.plus(RAMP).plus(SCALE_OUT);
                watchScaleOut(run, k6, podsBefore);
                run.summary = k6.await();
                run.loadEnd = Instant.now();
                run.backAtMinimum = untilOrNull(run.loadEnd.plus(scaleInBudget).plus(Duration.ofSeconds(60)),
                        () -> desiredAndSpec(min));
                run.podsAtMinimum = untilOrNull(run.loadEnd.plus(scaleInBudget).plus(Duration.ofSeconds(90)),
                        () -> atMinimum(min));
                rescales(run);
            } finally {
                sampler.close();
                write(report, run, min, max, window, scaleInBudget, waitedForMinimum);
            }
        }

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(run.summary.failedRate()).as("k6 failure rate during the ramp (%s)", run.summary.describe())
                .isLessThan(0.01);
        softly.assertThat(run.peakDesired).as("peak desired replicas of the HPA").isGreaterThanOrEqualTo(SCALED_OUT);
        softly.assertThat(run.scaledOutReady != null && run.scaledOutReady.isBefore(run.settledStart))
                .as("%d pods Ready (at %s) before the settled phase began (%s)", SCALED_OUT, run.scaledOutReady, run.settledStart)
                .isTrue();
        softly.assertThat(run.summary.latency("http_req_duration{scenario:settled}").p95())
                .as("p95 after the scale-out (settled phase), ms").isLessThan(P95_MS);
        softly.assertThat(since(run.loadEnd, run.backAtMinimum)).as("time from the load's end to HPA desired and Deployment "
                + "replicas back at %d (budget: window %s + metrics-server and HPA sync %s)", min, window, METRICS_AND_SYNC)
                .isNotNull().isLessThanOrEqualTo(scaleInBudget);
        softly.assertThat(run.podsAtMinimum).as("only %d pod left after the scale-in", min).isNotNull();
        softly.assertThat(run.summary.crossedThresholds()).as("k6 thresholds crossed").isEmpty();
        softly.assertAll();
    }

    /** What one run measured; instants are null for what did not happen. */
    private static final class Run {
        ServiceSampler sampler;
        Instant rampStart;
        Instant settledStart;
        Instant firstDecision;
        Instant scaledOutDecision;
        Instant firstNewPodReady;
        Instant scaledOutReady;
        int peakDesired;
        int peakReady;
        K6Summary summary;
        Instant loadEnd;
        Instant backAtMinimum;
        Instant podsAtMinimum;
        final List<String> rescales = new ArrayList<>();
    }

    /**
     * Polls the HPA and pods while k6 runs: when the HPA first asks for more than one pod and for at least
     * {@link #SCALED_OUT}, when new pods become Ready (their Ready condition's transition time), the peaks.
     */
    private void watchScaleOut(Run run, K6Load k6, Set<String> podsBefore) throws Exception {
        while (k6.running()) {
            Instant now = Instant.now();
            HorizontalPodAutoscaler hpa = hpa();
            int desired = hpa.getStatus().getDesiredReplicas();
            run.peakDesired = Math.max(run.peakDesired, desired);
            if (desired > 1 && run.firstDecision == null) {
                run.firstDecision = now;
            }
            if (desired >= SCALED_OUT && run.scaledOutDecision == null) {
                run.scaledOutDecision = now;
            }
            List<Instant> readySince = new ArrayList<>();
            for (Pod pod : ServiceSampler.running(kubernetes)) {
                if (ServiceSampler.ready(pod)) {
                    readySince.add(podsBefore.contains(pod.getMetadata().getName()) ? Instant.EPOCH : readySince(pod));
                }
            }
            run.peakReady = Math.max(run.peakReady, readySince.size());
            readySince.sort(Comparator.naturalOrder());
            List<Instant> newPods = readySince.stream().filter(Predicate.not(Instant.EPOCH::equals)).toList();
            if (run.firstNewPodReady == null && !newPods.isEmpty()) {
                run.firstNewPodReady = newPods.getFirst();
            }
            if (run.scaledOutReady == null && readySince.size() >= SCALED_OUT) {
                run.scaledOutReady = readySince.get(SCALED_OUT - 1);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The HPA's rescale events since the run began (events of earlier runs stay for an hour). */
    private void rescales(Run run) {
        kubernetes.v1().events().inNamespace(KindDeployment.NAMESPACE)
                .withField("involvedObject.kind", "HorizontalPodAutoscaler").list().getItems().stream()
                .filter(e -> "SuccessfulRescale".equals(e.getReason()))
                .map(e -> Map.entry(Instant.parse(e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getEventTime().getTime()),
                        e.getMessage()))
                .filter(e -> !e.getKey().isBefore(run.sampler.zero().truncatedTo(ChronoUnit.SECONDS)))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> run.rescales.add(String.format(Locale.ROOT, "t = %.0f s: %s",
                        run.sampler.t(e.getKey()) - (run.rampStart == null ? 0 : run.sampler.t(run.rampStart)), e.getValue())));
    }

    private static Instant readySince(Pod pod) {
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(PodCondition::getLastTransitionTime).map(Instant::parse).findFirst().orElse(Instant.now());
    }

    private boolean atMinimum(int min) {
        List<Pod> pods = kubernetes.pods().inNamespace(KindDeployment.NAMESPACE)
                .withLabel("app.kubernetes.io/instance", KindDeployment.RELEASE).list().getItems();
        return desiredAndSpec(min) && pods.size() == min && pods.stream().allMatch(ServiceSampler::ready);
    }

    private boolean desiredAndSpec(int min) {
        HorizontalPodAutoscaler hpa = hpa();
        Integer replicas = kubernetes.apps().deployments().inNamespace(KindDeployment.NAMESPACE)
                .withName(KindDeployment.RELEASE).get().getSpec().getReplicas();
        return hpa.getStatus().getDesiredReplicas() == min && replicas != null && replicas == min;
    }

    private HorizontalPodAutoscaler hpa() {
        HorizontalPodAutoscaler hpa = kubernetes.autoscaling().v2().horizontalPodAutoscalers()
                .inNamespace(KindDeployment.NAMESPACE).withName(KindDeployment.RELEASE).get();
        assertThat(hpa).as("HPA %s/%s (the chart's autoscaling.enabled)", KindDeployment.NAMESPACE, KindDeployment.RELEASE)
                .isNotNull();
        return hpa;
    }

    private static Integer cpuUtilization(HorizontalPodAutoscaler hpa) {
        return hpa.getStatus().getCurrentMetrics().stream()
                .filter(m -> m.getResource() != null && "cpu".equals(m.getResource().getName()))
                .map(m -> m.getResource().getCurrent().getAverageUtilization()).findFirst().orElse(null);
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    /** Polls until CONDITION holds; the instant it did, or null at the deadline. */
    private static Instant untilOrNull(Instant deadline, Condition condition) throws Exception {
        while (Instant.now().isBefore(deadline)) {
            if (condition.met()) {
                return Instant.now();
            }
            Thread.sleep(POLL.toMillis());
        }
        return null;
    }

    /** As {@link #untilOrNull}, failing with WHAT at the deadline. */
    private static Instant until(String what, Instant deadline, Condition condition) throws Exception {
        Instant met = untilOrNull(deadline, condition);
        assertThat(met).as("%s by %s", what, deadline).isNotNull();
        return met;
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + "s";
    }

    private static Duration since(Instant from, Instant to) {
        return from == null || to == null ? null : Duration.between(from, to);
    }

    private static void write(E2eReport.Section report, Run run, int min, int max, Duration window, Duration budget,
            Duration waitedForMinimum) {
        ServiceSampler sampler = run.sampler;
        K6Summary summary = run.summary;
        // t = 0 at the ramp's start (the load start of the figures); the warmup before it is negative.
        double zero = run.rampStart == null ? 0 : sampler.t(run.rampStart);
        Timeline timeline = sampler.timeline().from(zero);
        report.figure("load", String.format("POST /users/{id}/password/verify: %d/s for %d s (one pod), ramp to %d/s over %d s, "
                        + "held %d s, then %d s settled", WARMUP_RATE, WARMUP.toSeconds(), RATE, RAMP.toSeconds(),
                        SCALE_OUT.toSeconds(), SETTLED.toSeconds()))
                .figure("HPA", String.format("min %d, max %d, CPU target 80 %% of the request, scale-down window %d s", min, max,
                        window.toSeconds()))
                .figure("time from load start to the scale-out decision (desired > 1)", E2eReport.seconds(since(run.rampStart, run.firstDecision)))
                .figure("time from load start to desired ≥ " + SCALED_OUT, E2eReport.seconds(since(run.rampStart, run.scaledOutDecision)))
                .figure("time from load start to the first new pod Ready", E2eReport.seconds(since(run.rampStart, run.firstNewPodReady)))
                .figure("time from load start to " + SCALED_OUT + " pods Ready", E2eReport.seconds(since(run.rampStart, run.scaledOutReady)))
                .figure("peak replicas (desired / Ready)", run.peakDesired + " / " + run.peakReady);
        if (summary != null) {
            K6Summary.Latency before = summary.latency("http_req_duration{scenario:warmup}");
            K6Summary.Latency during = summary.latency("http_req_duration{scenario:ramp}");
            K6Summary.Latency after = summary.latency("http_req_duration{scenario:settled}");
            report.figure("k6 requests, failed", summary.requests() + ", " + summary.failedRequests() + " ("
                            + E2eReport.percent(summary.failedRate()) + ")")
                    .figure("p95 before (one pod, " + WARMUP_RATE + "/s)", E2eReport.millis(before.p95()))
                    .figure("p95 during the ramp and scale-out", E2eReport.millis(during.p95()))
                    .figure("p95 / p99 after the scale-out (threshold " + P95_MS + " / " + P99_MS + " ms)",
                            E2eReport.millis(after.p95()) + " / " + E2eReport.millis(after.p99()))
                    .figure("peak p95 under load (Prometheus, 30 s windows)", E2eReport.millis(maxFromZero(timeline, "p95_ms")))
                    .figure("peak CPU (metrics API, all pods)", String.format(Locale.ROOT, "%.0f m",
                            maxFromZero(timeline, "cpu_millicores")));
        }
        report.figure("time from load end to HPA desired and Deployment replicas at " + min + " (budget " + budget.toSeconds()
                        + " s)", E2eReport.seconds(since(run.loadEnd, run.backAtMinimum)))
                .figure("time from load end to " + min + " pod left", E2eReport.seconds(since(run.loadEnd, run.podsAtMinimum)))
                .figure("wait for one Ready pod with a CPU reading before the run", E2eReport.seconds(waitedForMinimum));
        if (!run.rescales.isEmpty()) {
            report.text("HPA rescale events:\n\n" + String.join("\n", run.rescales.stream().map(r -> "- " + r).toList()));
        }
        List<E2eReport.Marker> markers = new ArrayList<>();
        marker(markers, sampler, zero, run.scaledOutDecision, "desired ≥" + SCALED_OUT);
        marker(markers, sampler, zero, run.scaledOutReady, SCALED_OUT + " Ready");
        marker(markers, sampler, zero, run.settledStart, "settled");
        marker(markers, sampler, zero, run.loadEnd, "load end");
        marker(markers, sampler, zero, run.backAtMinimum, "back to " + min);
        report.timeline("timeline", timeline, "every " + SAMPLE_PERIOD.toSeconds() + " s, t = 0 at the ramp's start (negative: the warmup); "
                        + "HPA (desired, current, CPU % of request), pods (running, Ready), CPU of all pods (metrics API), "
                        + "user requests/s, p95 and 5xx ratio (Prometheus, 30 s windows), alerts pending or firing")
                .plot("replicas-load-latency", "Replicas, load and latency under the password-verify ramp (t = 0: ramp "
                                + "start); vertical lines: HPA desired ≥ " + SCALED_OUT + ", " + SCALED_OUT + " pods Ready, settled "
                                + "phase, load end, back at the minimum", timeline, markers,
                        E2eReport.Panel.of("Replicas", "pods", "hpa_desired", "hpa_current", "ready_pods"),
                        E2eReport.Panel.of("Load (user requests, Prometheus)", "requests/s", "rps"),
                        E2eReport.Panel.of("CPU as the HPA sees it", "% of the request", "hpa_cpu_percent")
                                .withLine(80, "HPA target 80 %"),
                        E2eReport.Panel.of("Latency (Prometheus, 30 s windows)", "ms", "p95_ms")
                                .withLine(P95_MS, "p95 threshold " + P95_MS + " ms"))
                .write();
        System.out.println("e2e report: " + E2eReport.DIR.resolve("summary.md"));
    }

    private static void marker(List<E2eReport.Marker> markers, ServiceSampler sampler, double zero, Instant at, String label) {
        if (at != null) {
            markers.add(new E2eReport.Marker(sampler.t(at) - zero, label));
        }
    }

    /** The column's largest value from t = 0 on: before it, Prometheus's windows still hold earlier tests' traffic. */
    private static double maxFromZero(Timeline timeline, String column) {
        double[] t = timeline.times();
        double[] values = timeline.numbers(column);
        return IntStream.range(0, t.length).filter(i -> t[i] >= 0).mapToDouble(i -> values[i]).filter(Double::isFinite)
                .max().orElse(Double.NaN);
    }

    private static KubernetesClient client() {
        try {
            return KindDeployment.kubernetes();
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read the kind cluster's kubeconfig: run `make cluster`", e);
        }
    }
}
