package com.example.usersinfo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the deployed service every few seconds into a {@link Timeline}, on its own thread, until closed:
 * the HPA's desired and current replicas and CPU utilization (its own view, % of the request), the pods
 * (running and Ready), their CPU from the metrics API (what metrics-server reports now), and from the cluster's
 * Prometheus the request rate, p95 latency and 5xx ratio of user traffic (the series the alert rules read,
 * probes and scrapes excluded) and the alerts pending or firing. Each value is read on its own: one that
 * cannot be read is left empty in that sample (the first error of each kind is printed).
 */
final class ServiceSampler implements AutoCloseable {

    static final String[] COLUMNS = {
        "hpa_desired", "hpa_current", "pods", "ready_pods", "hpa_cpu_percent", "cpu_millicores", "rps", "p95_ms",
        "error_ratio", "alerts"};
    // As the chart's rules select user requests (templates/_alert-rules.tpl). 30 s: two scrapes at 15 s.
    private static final String REQUESTS = "namespace=\"" + KindDeployment.NAMESPACE + "\", uri!~\"/health.*|/prometheus\"";
    private static final String RPS = "sum(rate(http_server_requests_seconds_count{" + REQUESTS + "}[30s]))";
    private static final String P95 = "1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket{"
            + REQUESTS + "}[30s])))";
    private static final String ERRORS = "sum(rate(http_server_requests_seconds_count{" + REQUESTS + ", status=~\"5..\"}[30s])) / "
            + RPS;

    private final Instant zero;
    private final Timeline timeline = new Timeline(COLUMNS);
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "service-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, String> firstErrors = new HashMap<>();

    private ServiceSampler(Instant zero) {
        this.zero = zero;
    }

    /** Starts sampling every PERIOD; t = 0 is now. */
    static ServiceSampler start(Duration period) {
        ServiceSampler sampler = new ServiceSampler(Instant.now());
        sampler.executor.scheduleAtFixedRate(sampler::sample, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    /** When t was 0. */
    Instant zero() {
        return zero;
    }

    /** Seconds from t = 0 to INSTANT. */
    double t(Instant instant) {
        return Duration.between(zero, instant).toMillis() / 1000.0;
    }

    Timeline timeline() {
        return timeline;
    }

    /** Stops sampling (after the sample in progress). */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample() {
        Instant now = Instant.now();
        Map<String, Object> values = new HashMap<>();
        read("HPA", () -> {
            HorizontalPodAutoscaler hpa = client().autoscaling().v2().horizontalPodAutoscalers()
                    .inNamespace(KindDeployment.NAMESPACE).withName(KindDeployment.RELEASE).get();
            values.put("hpa_desired", hpa.getStatus().getDesiredReplicas());
            values.put("hpa_current", hpa.getStatus().getCurrentReplicas());
            for (MetricStatus metric : hpa.getStatus().getCurrentMetrics()) {
                if (metric.getResource() != null && "cpu".equals(metric.getResource().getName())) {
                    values.put("hpa_cpu_percent", metric.getResource().getCurrent().getAverageUtilization());
                }
            }
        });
        read("pods", () -> {
            List<Pod> pods = running(client());
            values.put("pods", pods.size());
            values.put("ready_pods", pods.stream().filter(ServiceSampler::ready).count());
        });
        read("metrics API", () -> {
            BigDecimal cores = BigDecimal.ZERO;
            for (PodMetrics pod : client().top().pods().metrics(KindDeployment.NAMESPACE).getItems()) {
                for (var container : pod.getContainers()) {
                    cores = cores.add(container.getUsage().get("cpu").getNumericalAmount());
                }
            }
            values.put("cpu_millicores", cores.movePointRight(3).doubleValue());
        });
        read("Prometheus rate", () -> values.put("rps", scalar(RPS)));
        read("Prometheus p95", () -> values.put("p95_ms", scalar(P95)));
        read("Prometheus errors", () -> values.put("error_ratio", scalar(ERRORS)));
        read("Prometheus alerts", () -> values.put("alerts", alerts()));
        timeline.add(t(now), values);
    }

    /** The service's pods that are not being deleted. */
    static List<Pod> running(KubernetesClient client) {
        return client.pods().inNamespace(KindDeployment.NAMESPACE)
                .withLabel("app.kubernetes.io/instance", KindDeployment.RELEASE).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static boolean ready(Pod pod) {
        return pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Pending and firing alerts as "name:state" separated by spaces; "none" when there are none. */
    static String alerts() throws Exception {
        List<String> alerts = new ArrayList<>();
        for (JsonNode alert : KindDeployment.prometheusApi("/api/v1/alerts").path("alerts")) {
            alerts.add(alert.path("labels").path("alertname").asText() + ":" + alert.path("state").asText());
        }
        return alerts.isEmpty() ? "none" : String.join(" ", alerts.stream().sorted().toList());
    }

    /** A single-valued query's value; null when it has no result (no traffic yet); NaN stays NaN. */
    private static Double scalar(String promql) throws Exception {
        JsonNode result = KindDeployment.query(promql);
        return result.isEmpty() ? null : Double.valueOf(result.get(0).path("value").get(1).asText());
    }

    private static KubernetesClient client() throws Exception {
        return KindDeployment.kubernetes();
    }

    private interface Read {
        void run() throws Exception;
    }

    private void read(String what, Read read) {
        try {
            read.run();
        } catch (Exception | AssertionError e) {
            if (firstErrors.putIfAbsent(what, e.toString()) == null) {
                System.out.println("service sampler: cannot read " + what + " (left empty; said once): " + e);
            }
        }
    }
}
