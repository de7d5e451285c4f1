package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every PromQL expression the platform ships — the chart's alert and recording rules as the cluster's
 * Prometheus loaded them, and every panel of the Grafana dashboard — evaluated by that real Prometheus while
 * it scrapes the real service (deployed by the chart) and kube-state-metrics: each expression evaluates, and
 * each series selector in it (as Prometheus's own parser reads it: load-tests/src/test/go/cmd/promql-selectors)
 * matches at least one series. A rule or panel naming a metric or label value nothing exposes fails here.
 */
class ObservabilityQueriesIT {

    private static final Path DASHBOARD = KindDeployment.ROOT.resolve(
            "infra-eks/chart/users-info/files/dashboards/users-info.json");
    private static final Path GO_MODULE = KindDeployment.ROOT.resolve("load-tests/src/test/go");
    // Grafana's own interval variables, one value each; the dashboard's variables come from its templating.
    private static final Map<String, String> GRAFANA_VARIABLES = Map.of(
            "__rate_interval", "1m", "__interval", "1m", "__range", "5m");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*\\w+\\)");

    @BeforeAll
    static void serviceUnderTrafficScrapedByPrometheus() throws Exception {
        KindDeployment.deploy();
        long start = System.nanoTime();
        await("a scrape of the service's traffic, rules evaluated on it, kube-state-metrics' HPA series")
                .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5))
                .until(() -> {
                    sendTraffic();
                    // The current pods' own series (after a rollout, the old pods' are stale until the new
                    // ones are scraped), the rules evaluated on them, and kube-state-metrics.
                    return !KindDeployment.query("http_server_requests_seconds_count{namespace=\""
                                    + KindDeployment.NAMESPACE + "\", uri=\"root\"}").isEmpty()
                            && !KindDeployment.query("users_info:http_requests_error_ratio:rate5m").isEmpty()
                            && !KindDeployment.query("kube_horizontalpodautoscaler_spec_max_replicas{namespace=\""
                                    + KindDeployment.NAMESPACE + "\"}").isEmpty();
                });
        System.out.printf("Prometheus had scraped traffic and evaluated the rules after %d s%n",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    }

    @Test
    void everyRuleSelectsSeriesThatExist() throws Exception {
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode group : KindDeployment.prometheusApi("/api/v1/rules").path("groups")) {
            if (group.path("name").asText().startsWith("users-info.")) {
                for (JsonNode rule : group.path("rules")) {
                    expressions.put(rule.path("name").asText() + " (" + rule.path("type").asText() + ")",
                            rule.path("query").asText());
                }
            }
        }
        assertThat(expressions).as("the chart's rules, loaded by the cluster's Prometheus").hasSizeGreaterThan(10);

        assertThat(selectorsWithoutSeries(expressions)).as("selectors that match no series").isEmpty();
    }

    @Test
    void everyRecordingRuleProducesASeries() throws Exception {
        List<String> empty = new ArrayList<>();
        for (JsonNode group : KindDeployment.prometheusApi("/api/v1/rules").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.path("type").asText().equals("recording") && group.path("name").asText().startsWith("users-info.")
                        && KindDeployment.query(rule.path("name").asText()).isEmpty()) {
                    empty.add(rule.path("name").asText());
                }
            }
        }
        assertThat(empty).as("recording rules without a result").isEmpty();
    }

    @Test
    void everyDashboardPanelAndVariableSelectsSeriesThatExist() throws Exception {
        JsonNode dashboard = KindDeployment.JSON.readTree(DASHBOARD.toFile());
        Map<String, String> variables = new LinkedHashMap<>(GRAFANA_VARIABLES);
        Map<String, String> expressions = new LinkedHashMap<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String name = variable.path("name").asText();
            if (!variable.path("type").asText().equals("query")) {
                continue;
            }
            // As a user picks them: this deployment's namespace, "All" for the others.
            variables.put(name, name.equals("namespace") ? KindDeployment.NAMESPACE : variable.path("allValue").asText(".+"));
            Matcher query = LABEL_VALUES.matcher(variable.path("query").path("query").asText());
            assertThat(query.matches()).as("variable %s is a label_values(…) query", name).isTrue();
            expressions.put("variable " + name, query.group(1));
        }
        collectTargets(dashboard.path("panels"), expressions);
        assertThat(expressions).as("panel queries in %s", DASHBOARD).hasSizeGreaterThan(5);
        expressions.replaceAll((name, expr) -> substitute(expr, variables));

        assertThat(selectorsWithoutSeries(expressions)).as("selectors that match no series").isEmpty();
    }

    private static void collectTargets(JsonNode panels, Map<String, String> expressions) {
        for (JsonNode panel : panels) {
            collectTargets(panel.path("panels"), expressions);
            for (JsonNode target : panel.path("targets")) {
                expressions.put(panel.path("title").asText() + " / " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
    }

    private static String substitute(String expr, Map<String, String> variables) {
        for (Map.Entry<String, String> variable : variables.entrySet()) {
            expr = expr.replace("${" + variable.getKey() + "}", variable.getValue())
                    .replace("$" + variable.getKey(), variable.getValue());
        }
        assertThat(expr).as("every variable has a value").doesNotContain("$");
        return expr;
    }

    /** For each expression: evaluates it, then asks whether each of its selectors matches a series. */
    private static List<String> selectorsWithoutSeries(Map<String, String> expressions) throws Exception {
        List<String> names = new ArrayList<>(expressions.keySet());
        List<JsonNode> parsed = parse(new ArrayList<>(expressions.values()));
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            assertThat(parsed.get(i).path("error").asText()).as("%s does not parse", name).isEmpty();
            KindDeployment.query(expressions.get(name));
            for (JsonNode selector : parsed.get(i).path("selectors")) {
                if (KindDeployment.query("count(" + selector.asText() + ")").isEmpty()) {
                    missing.add(name + ": " + selector.asText());
                }
            }
        }
        return missing;
    }

    /** Prometheus's parser (Go) lists the selectors of each expression: one JSON line in, one out. */
    private static List<JsonNode> parse(List<String> expressions) throws IOException, InterruptedException {
        Process parser = new ProcessBuilder("go", "run", "./cmd/promql-selectors").directory(GO_MODULE.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (Writer in = parser.outputWriter(StandardCharsets.UTF_8)) {
            for (String expression : expressions) {
                in.write(KindDeployment.JSON.writeValueAsString(expression) + "\n");
            }
        }
        List<JsonNode> results = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parser.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                results.add(KindDeployment.JSON.readTree(line));
            }
        }
        assertThat(parser.waitFor(3, TimeUnit.MINUTES)).as("go run ./cmd/promql-selectors finished").isTrue();
        assertThat(parser.exitValue()).as("go run ./cmd/promql-selectors (is Go installed? make prereqs)").isZero();
        assertThat(results).hasSameSizeAs(expressions);
        return results;
    }

    /** Each endpoint family once, DynamoDB included: hello, create, read, verify, and a 404. */
    private static void sendTraffic() throws IOException, InterruptedException {
        String email = "queries-" + UUID.randomUUID() + "@example.com";
        HttpResponse<String> created = KindDeployment.send(HttpRequest.newBuilder(KindDeployment.SERVICE.resolve("/users"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"" + email + "\",\"name\":\"Query Test\",\"password\":\"correct horse battery\"}")));
        assertThat(created.statusCode()).as("POST /users: %s", created.body()).isEqualTo(201);
        String user = created.headers().firstValue("Location").orElseThrow();
        KindDeployment.send(HttpRequest.newBuilder(KindDeployment.SERVICE.resolve("/")).GET());
        KindDeployment.send(HttpRequest.newBuilder(KindDeployment.SERVICE.resolve(user)).GET());
        KindDeployment.send(HttpRequest.newBuilder(KindDeployment.SERVICE.resolve(user + "/password/verify"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"password\":\"correct horse battery\"}")));
        KindDeployment.send(HttpRequest.newBuilder(KindDeployment.SERVICE.resolve("/users/" + UUID.randomUUID())).GET());
    }
}
