package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's alert rules, rendered as the ConfigMap a plain Prometheus mounts, checked and unit-tested by
 * promtool (src/test/promtool/*.test.yaml: every alert fires when it should and stays silent when it should
 * not), documented by a runbook each, and identical in the PrometheusRule the Operator reads.
 */
class AlertRulesTest {

  private static final Path TESTS = Path.of(System.getProperty("promtool.tests"));
  private static final Path WORK = Path.of(System.getProperty("promtool.work"));
  private static final Path RUNBOOKS = Path.of(System.getProperty("project.root")).resolve("docs/runbooks");
  private static final String RULE_FILE = "alert-rules.yaml";
  private static final Yaml YAML = new Yaml();

  private static String ruleFile;

  @BeforeAll
  static void renderTheRuleFileNextToTheTests() throws IOException {
    ConfigMap rules = Chart.objects(Chart.ciValues("default-values.yaml")).all().stream()
        .filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .filter(configMap -> configMap.getMetadata().getName().equals(Chart.RELEASE + "-alert-rules"))
        .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + Chart.RELEASE + "-alert-rules"));
    ruleFile = rules.getData().get(RULE_FILE);
    Files.createDirectories(WORK);
    Files.writeString(WORK.resolve(RULE_FILE), ruleFile);
    for (Path test : unitTests()) {
      Files.copy(test, WORK.resolve(test.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  @Test
  void promtoolAcceptsTheRuleFile() {
    ProjectTools.Result check = promtool("check", "rules", RULE_FILE);

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: " + rules().size() + " rules found");
  }

  @Test
  void promtoolUnitTestsPass() {
    List<String> arguments = new ArrayList<>(List.of("test", "rules"));
    unitTests().forEach(test -> arguments.add(test.getFileName().toString()));

    ProjectTools.Result result = promtool(arguments.toArray(String[]::new));

    assertThat(result.exitCode()).as("promtool test rules:%n%s", result.output()).isZero();
  }

  /** A test that only ever expects silence would pass with a broken rule: each alert needs both kinds. */
  @Test
  void everyAlertHasAFiringAndASilentCase() {
    Set<String> fires = new HashSet<>();
    Set<String> silent = new HashSet<>();
    for (Path file : unitTests()) {
      for (Map<String, Object> test : list(load(file).get("tests"))) {
        for (Map<String, Object> check : list(test.get("alert_rule_test"))) {
          String alert = (String) check.get("alertname");
          (check.get("exp_alerts") == null ? silent : fires).add(alert);
        }
      }
    }
    Set<String> alerts = new HashSet<>(alertNames());

    assertThat(fires).as("alerts with a case where they fire").containsAll(alerts);
    assertThat(silent).as("alerts with a case where they stay silent").containsAll(alerts);
  }

  @Test
  void everyAlertHasSeverityAnnotationsAndARunbook() {
    List<Map<String, Object>> alerts = rules().stream().filter(rule -> rule.containsKey("alert")).toList();
    assertThat(alerts).isNotEmpty();
    for (Map<String, Object> alert : alerts) {
      String name = (String) alert.get("alert");
      Map<String, Object> labels = map(alert.get("labels"));
      Map<String, Object> annotations = map(alert.get("annotations"));

      assertThat(labels.get("severity")).as("severity of %s", name).isIn("critical", "warning");
      assertThat(annotations).as("annotations of %s", name).containsKeys("summary", "description", "runbook_url");
      assertThat((String) annotations.get("runbook_url")).endsWith("/docs/runbooks/" + name + ".md");
      Path runbook = RUNBOOKS.resolve(name + ".md");
      assertThat(runbook).as("runbook of %s", name).exists();
      assertThat(read(runbook)).as(runbook.toString())
          .contains("# " + name, "## Meaning", "## Impact", "## Diagnosis", "## Mitigation");
    }
  }

  @Test
  void thePrometheusRuleCarriesTheSameRules() {
    GenericKubernetesResource prometheusRule = Chart.objects(Chart.ciValues("prometheus-operator-values.yaml"))
        .custom("PrometheusRule").getFirst();

    assertThat(prometheusRule.getAdditionalProperties().get("spec")).isEqualTo(YAML.load(ruleFile));
  }

  private static ProjectTools.Result promtool(String... arguments) {
    List<String> command = new ArrayList<>(List.of(ProjectTools.tool("promtool").toString()));
    command.addAll(List.of(arguments));
    return ProjectTools.run(WORK, command);
  }

  private static List<Path> unitTests() {
    try (Stream<Path> files = Files.list(TESTS)) {
      List<Path> tests = files.filter(file -> file.toString().endsWith(".test.yaml")).sorted().toList();
      assertThat(tests).as("promtool unit tests in %s", TESTS).isNotEmpty();
      return tests;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + TESTS, e);
    }
  }

  private static List<Map<String, Object>> rules() {
    Map<String, Object> file = YAML.load(ruleFile);
    return list(file.get("groups")).stream().flatMap(group -> list(group.get("rules")).stream()).toList();
  }

  private static List<String> alertNames() {
    return rules().stream().filter(rule -> rule.containsKey("alert")).map(rule -> (String) rule.get("alert"))
        .distinct().toList();
  }

  private static Map<String, Object> load(Path file) {
    return YAML.load(read(file));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }
}
