package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cluster's Prometheus and Alertmanager (infra-eks/addons/prometheus, release {@code monitoring}) as the
 * alerting tests read them: the timings that make up an alert's budget, read from what is loaded (the chart's
 * rules as Prometheus evaluates them, Alertmanager's running configuration), never from constants; the alerts'
 * states; and a reset to an empty history.
 */
final class AlertingStack {

    static final String NAMESPACE = "monitoring";
    private static final String PROMETHEUS_DEPLOYMENT = "monitoring-prometheus-server";
    private static final String ALERTMANAGER_STATEFULSET = "monitoring-alertmanager";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");
    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*=\\s*\"?([^\"]*)\"?\\s*");

    private AlertingStack() {
    }

    /** An alerting rule as Prometheus loaded it: its {@code for} and the evaluation interval of its group. */
    record Rule(String name, Map<String, String> labels, Map<String, String> annotations, Duration pendingFor,
                Duration evaluationInterval, String query) {
    }

    /** The route Alertmanager picks for a set of labels, with the timings it inherits or sets. */
    record Route(String receiver, Duration groupWait, Duration groupInterval, Duration repeatInterval) {
    }

    /** One alert of Prometheus's /api/v1/alerts: state pending or firing. */
    record ActiveAlert(String name, String state, Map<String, String> labels, Instant activeAt, double value) {
    }

    /**
     * The alerting rule NAME whose labels include LABELS (a severity, a window pair), from Prometheus's
     * /api/v1/rules; fails naming the rules that are loaded when there is none, or when several match.
     */
    static Rule rule(String name, Map<String, String> labels) throws IOException, InterruptedException {
        List<Rule> loaded = rules(Map.of());
        List<Rule> matching = loaded.stream().filter(rule -> rule.name().equals(name)
                && rule.labels().entrySet().containsAll(labels.entrySet())).toList();
        if (matching.size() != 1) {
            throw new AssertionError("Prometheus (" + KindDeployment.PROMETHEUS + ") has " + matching.size()
                    + " alerting rules " + name + " with labels " + labels + " (one expected); loaded: "
                    + loaded.stream().map(rule -> rule.name() + rule.labels()).toList()
                    + " (scripts/deploy-kind.sh loads the chart's rules)");
        }
        return matching.getFirst();
    }

    /** Every alerting rule Prometheus has loaded (/api/v1/rules) whose labels include LABELS. */
    static List<Rule> rules(Map<String, String> labels) throws IOException, InterruptedException {
        List<Rule> matching = new ArrayList<>();
        for (JsonNode group : KindDeployment.prometheusApi("/api/v1/rules?type=alert").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                Map<String, String> ruleLabels = strings(rule.path("labels"));
                if (ruleLabels.entrySet().containsAll(labels.entrySet())) {
                    matching.add(new Rule(rule.path("name").asText(), ruleLabels, strings(rule.path("annotations")),
                            seconds(rule.path("duration").asDouble()), seconds(group.path("interval").asDouble()),
                            rule.path("query").asText()));
                }
            }
        }
        return matching;
    }

    /**
     * The route of Alertmanager's running configuration (/api/v2/status) that LABELS take: the first matching
     * child of the root route (this configuration has one level and equality matchers, and this reader fails
     * on anything else rather than guess), with the root's timings where the child sets none.
     */
    static Route route(Map<String, String> labels) throws IOException, InterruptedException {
        JsonNode status = KindDeployment.alertmanagerApi("/api/v2/status");
        JsonNode root = YAML.readTree(status.path("config").path("original").asText()).path("route");
        Route route = new Route(root.path("receiver").asText(), duration(root, "group_wait", "30s"),
                duration(root, "group_interval", "5m"), duration(root, "repeat_interval", "4h"));
        for (JsonNode child : root.path("routes")) {
            if (child.has("routes") || child.has("match") || child.has("match_re")) {
                fail("Alertmanager's route %s uses nested routes or match/match_re, which AlertingStack.route does not read", child);
            }
            boolean matches = true;
            for (JsonNode matcher : child.path("matchers")) {
                Matcher equality = MATCHER.matcher(matcher.asText());
                if (!equality.matches() || matcher.asText().contains("!") || matcher.asText().contains("~")) {
                    fail("Alertmanager's matcher %s is not an equality, which AlertingStack.route does not read", matcher);
                }
                matches &= equality.group(2).equals(labels.get(equality.group(1)));
            }
            if (matches) {
                String receiver = child.path("receiver").asText(route.receiver());
                return new Route(receiver, duration(child, "group_wait", route.groupWait()),
                        duration(child, "group_interval", route.groupInterval()),
                        duration(child, "repeat_interval", route.repeatInterval()));
            }
        }
        return route;
    }

    /**
     * The longest scrape interval of the targets the rules read: the service's pods and kube-state-metrics, as
     * Prometheus's /api/v1/targets reports them; fails when either is not a target.
     */
    static Duration scrapeInterval() throws IOException, InterruptedException {
        Duration longest = Duration.ZERO;
        boolean service = false;
        boolean kubeStateMetrics = false;
        for (JsonNode target : KindDeployment.prometheusApi("/api/v1/targets?state=active").path("activeTargets")) {
            JsonNode labels = target.path("labels");
            boolean isService = labels.path("namespace").asText().equals(KindDeployment.NAMESPACE)
                    && labels.path("job").asText().equals("kubernetes-pods");
            boolean isKubeStateMetrics = labels.path("service").asText().endsWith("kube-state-metrics");
            if (isService || isKubeStateMetrics) {
                Duration interval = goDuration(target.path("scrapeInterval").asText());
                longest = interval.compareTo(longest) > 0 ? interval : longest;
                service |= isService;
                kubeStateMetrics |= isKubeStateMetrics;
            }
        }
        if (!service || !kubeStateMetrics) {
            fail("Prometheus does not scrape %s: %s/targets", !service ? "the service's pods (job kubernetes-pods)"
                    : "kube-state-metrics", KindDeployment.PROMETHEUS);
        }
        return longest;
    }

    /** Prometheus's pending and firing alerts. */
    static List<ActiveAlert> alerts() throws IOException, InterruptedException {
        List<ActiveAlert> alerts = new ArrayList<>();
        for (JsonNode alert : KindDeployment.prometheusApi("/api/v1/alerts").path("alerts")) {
            Map<String, String> labels = strings(alert.path("labels"));
            alerts.add(new ActiveAlert(labels.getOrDefault("alertname", ""), alert.path("state").asText(), labels,
                    Instant.parse(alert.path("activeAt").asText()), alert.path("value").asDouble(Double.NaN)));
        }
        return alerts;
    }

    /**
     * Prometheus and Alertmanager restarted with no history: no samples, no alert states, no notification log.
     * Their storage is an emptyDir in kind (values-kind.yaml), so a new pod starts empty. Why the alerting test
     * needs it: the page's slow-burn windows (6 h and 30 min) keep an earlier run's errors, and while that run's
     * page still fires (up to 30 min after its fault) a new run could neither see a quiet window nor time a new
     * page. Returns when both answer again and Prometheus has the chart's rules and scrapes the service and
     * kube-state-metrics.
     */
    static void reset(KubernetesClient kubernetes) throws IOException, InterruptedException {
        List<String> before = new ArrayList<>();
        for (Pod pod : kubernetes.pods().inNamespace(NAMESPACE).list().getItems()) {
            before.add(pod.getMetadata().getUid());
        }
        kubernetes.apps().deployments().inNamespace(NAMESPACE).withName(PROMETHEUS_DEPLOYMENT).rolling().restart();
        kubernetes.apps().statefulSets().inNamespace(NAMESPACE).withName(ALERTMANAGER_STATEFULSET).rolling().restart();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            List<Pod> pods = kubernetes.pods().inNamespace(NAMESPACE).list().getItems();
            boolean replaced = pods.stream()
                    .filter(pod -> pod.getMetadata().getName().startsWith(PROMETHEUS_DEPLOYMENT)
                            || pod.getMetadata().getName().startsWith(ALERTMANAGER_STATEFULSET))
                    .allMatch(pod -> !before.contains(pod.getMetadata().getUid()) && ready(pod));
            if (replaced && answers() && rulesLoaded() && scraping()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("Prometheus and Alertmanager did not come back within 3 minutes of their restart: "
                        + "kubectl -n %s get pods; kubectl -n %s logs deploy/%s", NAMESPACE, NAMESPACE, PROMETHEUS_DEPLOYMENT);
            }
            Thread.sleep(1000);
        }
    }

    private static boolean answers() {
        try {
            return KindDeployment.send(HttpRequest.newBuilder(KindDeployment.PROMETHEUS.resolve("/-/ready")).GET()).statusCode() == 200
                    && KindDeployment.send(HttpRequest.newBuilder(KindDeployment.ALERTMANAGER.resolve("/-/ready")).GET()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static boolean rulesLoaded() throws IOException, InterruptedException {
        for (JsonNode group : KindDeployment.prometheusApi("/api/v1/rules").path("groups")) {
            if (group.path("name").asText().equals("users-info.slo")) {
                return true;
            }
        }
        return false;
    }

    /** Service discovery found the targets the rules read, and scraped them: the service's pods and kube-state-metrics. */
    private static boolean scraping() throws IOException, InterruptedException {
        return !KindDeployment.query("up{job=\"kubernetes-pods\", namespace=\"" + KindDeployment.NAMESPACE + "\"} == 1").isEmpty()
                && !KindDeployment.query("kube_pod_container_status_restarts_total{namespace=\"" + KindDeployment.NAMESPACE
                        + "\"}").isEmpty();
    }

    private static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus().getConditions().stream()
                .anyMatch(condition -> condition.getType().equals("Ready") && condition.getStatus().equals("True"));
    }

    private static Duration duration(JsonNode route, String field, String fallback) {
        return route.has(field) ? goDuration(route.path(field).asText()) : goDuration(fallback);
    }

    private static Duration duration(JsonNode route, String field, Duration inherited) {
        return route.has(field) ? goDuration(route.path(field).asText()) : inherited;
    }

    /** A Prometheus/Alertmanager duration such as 30s, 5m or 1h30m. */
    static Duration goDuration(String text) {
        Matcher part = GO_DURATION.matcher(text);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
            });
            end = part.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        return total;
    }

    private static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new java.util.TreeMap<>();
        object.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asText()));
        return Map.copyOf(map);
    }
}
