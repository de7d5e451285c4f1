package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The service's Grafana dashboard (files/dashboards/users-info.json) is valid JSON Grafana can provision, every
 * panel queries the dashboard's Prometheus data source with PromQL that Prometheus parses, and the chart ships it
 * in a ConfigMap the Grafana add-on's sidecar loads. Whether every expression selects series of the running
 * service is checked against a real Prometheus by the end-to-end tests.
 */
class DashboardTest {

  static final Path FILE = Chart.DIR.resolve("files/dashboards/users-info.json");
  /** A dashboard variable: $name or ${name}. */
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)\\}?");
  private static Map<String, Object> dashboard;

  @BeforeAll
  static void parse() throws IOException {
    dashboard = new KubernetesSerialization().unmarshal(Files.readString(FILE), Map.class);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> panels() {
    return ((List<Map<String, Object>>) dashboard.get("panels")).stream().filter(p -> !"row".equals(p.get("type"))).toList();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> targets(Map<String, Object> panel) {
    return (List<Map<String, Object>>) panel.getOrDefault("targets", List.of());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> variables() {
    Map<String, Map<String, Object>> variables = new LinkedHashMap<>();
    ((List<Map<String, Object>>) ((Map<String, Object>) dashboard.get("templating")).get("list"))
        .forEach(v -> variables.put((String) v.get("name"), v));
    return variables;
  }

  @Test
  void hasTheIdentityGrafanaProvisionsItBy() {
    assertThat(dashboard.get("uid")).isEqualTo("users-info");
    assertThat(dashboard.get("title")).isEqualTo("users-info");
    assertThat(((Number) dashboard.get("schemaVersion")).intValue()).isGreaterThanOrEqualTo(36);
    assertThat(dashboard).doesNotContainKey("id");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyPanelQueriesTheSelectedPrometheus() {
    assertThat(panels()).hasSizeGreaterThanOrEqualTo(15);
    Set<Object> ids = new HashSet<>();
    for (Map<String, Object> panel : panels()) {
      String title = (String) panel.get("title");
      assertThat(ids.add(panel.get("id"))).as("unique id of %s", title).isTrue();
      assertThat((Map<String, Object>) panel.get("datasource")).as(title)
          .containsEntry("type", "prometheus").containsEntry("uid", "${datasource}");
      assertThat(targets(panel)).as(title).isNotEmpty().allSatisfy(target -> {
        assertThat((String) target.get("expr")).as(title).isNotBlank();
        assertThat((Map<String, Object>) target.get("datasource")).as(title).containsEntry("uid", "${datasource}");
      });
      Map<String, Object> grid = (Map<String, Object>) panel.get("gridPos");
      assertThat(((Number) grid.get("x")).intValue() + ((Number) grid.get("w")).intValue()).as(title).isLessThanOrEqualTo(24);
    }
  }

  @Test
  void coversRateErrorsDurationSaturationAutoscalingJvmAndDynamoDb() {
    String exprs = String.join("\n", expressions());

    assertThat(exprs).contains("http_server_requests_seconds_count", "http_server_requests_seconds_bucket",
        "status!~\"5..\"", "container_cpu_usage_seconds_total", "container_spec_cpu_shares",
        "jvm_memory_used_bytes", "jvm_memory_max_bytes",
        "kube_horizontalpodautoscaler_status_desired_replicas", "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_spec_min_replicas", "kube_horizontalpodautoscaler_spec_max_replicas",
        "jvm_gc_pause_seconds", "jvm_threads_live_threads", "dynamodb_client_calls_seconds_count",
        "dynamodb_client_calls_seconds_bucket");
    // Both exist only after a retry or a failure: a panel on them would show nothing most of the time.
    assertThat(exprs).doesNotContain("dynamodb_client_retries_total", "dynamodb_client_errors_total");
  }

  @Test
  @SuppressWarnings("unchecked")
  void variablesPickTheDataSourceAndTheNamespace() {
    Map<String, Map<String, Object>> variables = variables();

    assertThat(variables.get("datasource")).containsEntry("type", "datasource").containsEntry("query", "prometheus");
    assertThat(variables.get("namespace")).containsEntry("type", "query");
    assertThat((Map<String, Object>) variables.get("namespace").get("datasource")).containsEntry("uid", "${datasource}");
    for (String expr : expressions()) {
      Matcher used = VARIABLE.matcher(expr);
      while (used.find()) {
        String name = used.group(1);
        assertThat(name.startsWith("__") || variables.containsKey(name)).as("$%s in %s", name, expr).isTrue();
      }
      assertThat(expr).as("every query is scoped to the chosen namespace").contains("namespace=\"$namespace\"");
    }
  }

  /** Every expression, variables replaced by values, as a recording rule: `promtool check rules` parses them. */
  @Test
  void prometheusParsesEveryExpression() throws IOException {
    List<Map<String, Object>> rules = new ArrayList<>();
    List<String> expressions = expressions();
    for (int i = 0; i < expressions.size(); i++) {
      String expr = expressions.get(i)
          .replace("$__rate_interval", "1m")
          .replace("$namespace", "users-info")
          .replace("$pod", ".+");
      rules.add(Map.of("record", "dashboard:expression_" + i, "expr", expr));
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Files.createDirectories(MonitoringAddon.WORK);
    Path file = MonitoringAddon.WORK.resolve("dashboard-expressions.yaml");
    Files.writeString(file, new Yaml(options).dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));

    ProjectTools.Result check = ProjectTools.run(MonitoringAddon.WORK,
        List.of(ProjectTools.tool("promtool").toString(), "check", "rules", file.toString()));

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + expressions.size() + " rules found");
  }

  @Test
  void theChartShipsItForGrafanasSidecar() throws IOException {
    ConfigMap configMap = Chart.objects(Chart.ciValues("default-values.yaml")).named(ConfigMap.class, "users-info-dashboard");

    assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
        .containsKey("app.kubernetes.io/instance");
    assertThat(new KubernetesSerialization().unmarshal(configMap.getData().get("users-info.json"), Map.class))
        .isEqualTo(dashboard);
    assertThat(Files.readString(FILE)).as("ConfigMaps hold at most 1 MiB").hasSizeLessThan(1024 * 1024);
  }

  @Test
  void itCanBeSwitchedOff() {
    String rendered = new Helm(Chart.DIR).template()
        .withName(Chart.RELEASE)
        .withNamespace(Chart.NAMESPACE)
        .withKubeVersion(Chart.KUBERNETES_VERSION)
        .set("dashboards.enabled", "false")
        .call();

    assertThat(rendered).doesNotContain("users-info-dashboard").doesNotContain("grafana_dashboard");
  }

  static List<String> expressions() {
    return panels().stream().flatMap(p -> targets(p).stream()).map(t -> (String) t.get("expr")).toList();
  }
}
