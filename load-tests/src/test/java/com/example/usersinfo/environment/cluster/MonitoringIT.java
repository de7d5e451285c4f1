package com.example.usersinfo.environment.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The monitoring add-on of the local kind cluster ({@code make cluster}, step "monitoring";
 * infra-eks/addons/prometheus): Prometheus on 127.0.0.1:30090 scrapes kube-state-metrics and the annotated pods
 * with their namespace and pod labels and sends alerts to the in-cluster Alertmanager; Alertmanager on
 * 127.0.0.1:30093 runs the routing of values.yaml with the kind receivers, and a critical alert inhibits a
 * warning of the same service and namespace (what amtool cannot check offline). Each check prints its time.
 */
class MonitoringIT {
    private static final String PROMETHEUS = "http://127.0.0.1:30090";
    private static final String ALERTMANAGER = "http://127.0.0.1:30093";
    private static final String NAMESPACE = "monitoring";
    private static final String FIX = "run `make cluster` (it installs the monitoring add-on); then look at "
            + "`kubectl -n monitoring get pods` and `kubectl -n monitoring logs deployment/monitoring-prometheus-server`"
            + " (KUBECONFIG=.local/kubeconfig)";
    // A fresh install: kube-state-metrics' first scrape comes within one 15 s interval of Prometheus' start.
    private static final Duration SCRAPED = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static KubernetesClient client;

    @BeforeAll
    static void connect() throws IOException {
        client = KindCluster.connect();
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void prometheusAndAlertmanagerAreReady() {
        timed("Prometheus and Alertmanager ready", () -> {
            assertThat(get(PROMETHEUS + "/-/ready").statusCode()).as("Prometheus /-/ready; " + FIX).isEqualTo(200);
            assertThat(get(ALERTMANAGER + "/-/ready").statusCode()).as("Alertmanager /-/ready; " + FIX).isEqualTo(200);
            return null;
        });
    }

    @Test
    void kubeStateMetricsIsScrapedWithTheObjectsNamespaceAndPod() {
        timed("kube-state-metrics up and its series labelled", () -> {
            await("kube-state-metrics scraped").atMost(SCRAPED).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode up = query("up{service=\"monitoring-kube-state-metrics\"}");
                assertThat(up).as("kube-state-metrics targets; " + FIX).isNotEmpty()
                        .allSatisfy(series -> assertThat(series.at("/value/1").asText()).isEqualTo("1"));
            });
            // The object's labels (honor_labels), not the exporter's: Alertmanager's pod is in monitoring.
            JsonNode ready = query("kube_pod_status_ready{namespace=\"monitoring\", condition=\"true\", pod=\"monitoring-alertmanager-0\"}");
            assertThat(ready).as("kube_pod_status_ready of Alertmanager's pod").singleElement()
                    .satisfies(series -> assertThat(series.at("/value/1").asText()).isEqualTo("1"));
            return null;
        });
    }

    @Test
    void annotatedPodsAreScrapedWithNamespaceAndPodLabels() {
        timed("annotated pods scraped with namespace and pod", () -> {
            // Prometheus' own job proves the target list is there; kubernetes-pods needs pods with the annotation,
            // which the users-info chart adds: when none run, the job has no targets, which is not an error.
            JsonNode targets = json(get(PROMETHEUS + "/api/v1/targets?state=active")).at("/data/activeTargets");
            assertThat(targets).as("active targets").isNotEmpty();
            for (JsonNode target : targets) {
                if (target.at("/labels/job").asText().equals("kubernetes-pods")) {
                    assertThat(target.at("/labels/namespace").asText()).as(target.toString()).isNotBlank();
                    assertThat(target.at("/labels/pod").asText()).as(target.toString()).isNotBlank();
                }
            }
            assertThat(targets).extracting(t -> t.at("/labels/job").asText())
                    .contains("kubernetes-service-endpoints", "kubernetes-nodes-cadvisor", "prometheus");
            return null;
        });
    }

    @Test
    void prometheusSendsAlertsToTheInClusterAlertmanager() {
        timed("Prometheus' Alertmanager is the in-cluster one", () -> {
            Pod alertmanager = client.pods().inNamespace(NAMESPACE).withName("monitoring-alertmanager-0").get();
            assertThat(alertmanager).as("pod monitoring/monitoring-alertmanager-0; " + FIX).isNotNull();
            String url = "http://" + alertmanager.getStatus().getPodIP() + ":9093/api/v2/alerts";
            await("Prometheus discovers Alertmanager").atMost(SCRAPED).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(json(get(PROMETHEUS + "/api/v1/alertmanagers")).at("/data/activeAlertmanagers"))
                            .extracting(a -> a.at("/url").asText()).containsExactly(url));
            return null;
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void alertmanagerRunsTheSharedRoutingWithTheKindReceivers() {
        timed("Alertmanager's loaded configuration", () -> {
            String original = json(get(ALERTMANAGER + "/api/v2/status")).at("/config/original").asText();
            Map<String, Object> config = new KubernetesSerialization().unmarshal(original, Map.class);
            Map<String, Object> route = (Map<String, Object>) config.get("route");
            List<Map<String, Object>> routes = (List<Map<String, Object>>) route.get("routes");

            assertThat(route).containsEntry("receiver", "chat");
            assertThat(routes).anySatisfy(r -> {
                assertThat((List<String>) r.get("matchers")).containsExactly("severity=\"critical\"");
                assertThat(r).containsEntry("receiver", "pager");
            });
            assertThat(routes).anySatisfy(r -> {
                assertThat((List<String>) r.get("matchers")).containsExactly("severity=\"warning\"");
                assertThat(r).containsEntry("receiver", "chat");
            });
            assertThat(original).contains("http://alert-sink.users-info-e2e.svc:8080/pager",
                    "http://alert-sink.users-info-e2e.svc:8080/chat");
            return null;
        });
    }

    @Test
    void aCriticalAlertMutesTheWarningsOfItsServiceOnly() {
        timed("inhibition in the running Alertmanager", () -> {
            // Unique names; resolved at the end, before group_wait (30 s) would send anything.
            String critical = "MonitoringITCritical" + RUN;
            String warning = "MonitoringITWarning" + RUN;
            String namespace = "monitoring-it-" + RUN;
            try {
                post(alert(critical, "critical", namespace, "users-info", null),
                        alert(warning, "warning", namespace, "users-info", null),
                        alert(warning, "warning", namespace, "other-service", null));
                await("the warning of users-info inhibited").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            JsonNode warnings = alerts(warning);
                            assertThat(warnings).hasSize(2);
                            for (JsonNode alert : warnings) {
                                boolean sameService = alert.at("/labels/service").asText().equals("users-info");
                                assertThat(alert.at("/status/state").asText()).as(alert.toString())
                                        .isEqualTo(sameService ? "suppressed" : "active");
                                assertThat(alert.at("/status/inhibitedBy")).as(alert.toString())
                                        .hasSize(sameService ? 1 : 0);
                            }
                        });
                assertThat(alerts(critical).get(0).at("/status/state").asText()).isEqualTo("active");
            } finally {
                String now = Instant.now().toString();
                post(alert(critical, "critical", namespace, "users-info", now),
                        alert(warning, "warning", namespace, "users-info", now),
                        alert(warning, "warning", namespace, "other-service", now));
            }
            return null;
        });
    }

    private static Map<String, Object> alert(String name, String severity, String namespace, String service, String endsAt) {
        Map<String, Object> labels = Map.of("alertname", name, "severity", severity, "namespace", namespace, "service", service);
        return endsAt == null ? Map.of("labels", labels) : Map.of("labels", labels, "endsAt", endsAt);
    }

    private static void post(Map<?, ?>... alerts) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(ALERTMANAGER + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(List.of(alerts)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("POST /api/v2/alerts: " + response.body()).isEqualTo(200);
    }

    private static JsonNode alerts(String name) throws Exception {
        String filter = URLEncoder.encode("alertname=\"" + name + "\"", StandardCharsets.UTF_8);
        return json(get(ALERTMANAGER + "/api/v2/alerts?filter=" + filter));
    }

    private static JsonNode query(String promql) throws Exception {
        JsonNode body = json(get(PROMETHEUS + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        assertThat(body.at("/status").asText()).as(body.toString()).isEqualTo("success");
        return body.at("/data/result");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("no answer from " + url + " (" + e + "); " + FIX, e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.uri() + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private interface Check {
        Object run() throws Exception;
    }

    private static void timed(String name, Check check) {
        long start = System.nanoTime();
        try {
            check.run();
        } catch (Exception e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        } finally {
            System.out.printf("MonitoringIT: %s: %d ms%n", name, (System.nanoTime() - start) / 1_000_000);
        }
    }
}
