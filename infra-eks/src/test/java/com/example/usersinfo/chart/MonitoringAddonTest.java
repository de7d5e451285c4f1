package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring add-on (infra-eks/addons/prometheus) as the real prometheus chart renders it for EKS and for the
 * local kind cluster: Alertmanager's configuration accepted by amtool (Alertmanager 0.25, the oldest one it runs
 * on) and routing critical alerts to the pager and warnings to chat; Prometheus loading the users-info chart's
 * rule file; restricted security; no credential anywhere.
 */
class MonitoringAddonTest {

  private static final String PROMETHEUS = "monitoring-prometheus-server";
  private static final String ALERTMANAGER = "monitoring-alertmanager";

  static Manifests objects(String cluster) {
    return MonitoringAddon.objects(MonitoringAddon.render(cluster));
  }

  /** Alertmanager's configuration as rendered, written where amtool can read it. */
  static Path alertmanagerConfig(String cluster) throws IOException {
    String config = objects(cluster).named(ConfigMap.class, ALERTMANAGER).getData().get("alertmanager.yml");
    Files.createDirectories(MonitoringAddon.WORK);
    Path file = MonitoringAddon.WORK.resolve("alertmanager-" + cluster + ".yml");
    Files.writeString(file, config);
    return file;
  }

  static Map<String, Object> prometheusConfig(Manifests manifests) {
    return new Yaml().load(manifests.named(ConfigMap.class, PROMETHEUS).getData().get("prometheus.yml"));
  }

  static List<PodSpec> podSpecs(Manifests manifests) {
    List<PodSpec> specs = new ArrayList<>();
    for (HasMetadata object : manifests.all()) {
      if (object instanceof Deployment deployment) {
        specs.add(deployment.getSpec().getTemplate().getSpec());
      } else if (object instanceof StatefulSet statefulSet) {
        specs.add(statefulSet.getSpec().getTemplate().getSpec());
      }
    }
    return specs;
  }

  private static ProjectTools.Result amtool(String... args) {
    List<String> command = new ArrayList<>(List.of(ProjectTools.tool("amtool").toString()));
    command.addAll(List.of(args));
    return ProjectTools.run(MonitoringAddon.WORK, command);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  void amtoolAcceptsTheAlertmanagerConfiguration(String cluster) throws IOException {
    Path config = alertmanagerConfig(cluster);

    ProjectTools.Result check = amtool("check-config", config.toString());

    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS", "1 inhibit rules", "2 receivers");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  void criticalAlertsPageAndWarningsGoToChat(String cluster) throws IOException {
    Path config = alertmanagerConfig(cluster);
    String[] alert = {"alertname=UsersInfoAvailabilityBurnRate", "namespace=users-info", "service=users-info"};

    for (var expected : Map.of("critical", "pager", "warning", "chat", "info", "chat").entrySet()) {
      List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + config,
          "--verify.receivers=" + expected.getValue(), "severity=" + expected.getKey()));
      args.addAll(List.of(alert));
      ProjectTools.Result routed = amtool(args.toArray(String[]::new));

      assertThat(routed.exitCode()).as("severity=%s: %s", expected.getKey(), routed.output()).isZero();
      // The receivers are the last line (amtool warns first that --config.file wins over --alertmanager.url).
      List<String> lines = routed.output().strip().lines().toList();
      assertThat(lines.getLast()).as("severity=%s", expected.getKey()).isEqualTo(expected.getValue());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  @SuppressWarnings("unchecked")
  void groupingAndInhibitionAreTheSharedPolicy(String cluster) throws IOException {
    Map<String, Object> config = new Yaml().load(Files.readString(alertmanagerConfig(cluster)));
    Map<String, Object> route = (Map<String, Object>) config.get("route");
    List<Map<String, Object>> inhibitions = (List<Map<String, Object>>) config.get("inhibit_rules");

    assertThat((List<String>) route.get("group_by")).containsExactly("alertname", "namespace", "service");
    // The end-to-end test waits for the first notification within this.
    assertThat(seconds((String) route.get("group_wait"))).isLessThanOrEqualTo(30);
    assertThat(route).containsKeys("group_interval", "repeat_interval");
    // amtool cannot evaluate inhibition offline; MonitoringIT checks it in the running Alertmanager.
    assertThat(inhibitions).singleElement().satisfies(rule -> {
      assertThat((List<String>) rule.get("source_matchers")).containsExactly("severity=\"critical\"");
      assertThat((List<String>) rule.get("target_matchers")).containsExactly("severity=\"warning\"");
      assertThat((List<String>) rule.get("equal")).containsExactlyInAnyOrder("namespace", "service");
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void onEksCriticalGoesToSnsWithPodIdentityAndWarningsToSlackThroughAMountedSecret() throws IOException {
    Manifests manifests = objects("eks");
    Map<String, Object> config = new Yaml().load(Files.readString(alertmanagerConfig("eks")));
    Map<String, Map<String, Object>> receivers = new HashMap<>();
    ((List<Map<String, Object>>) config.get("receivers")).forEach(r -> receivers.put((String) r.get("name"), r));

    Map<String, Object> sns = ((List<Map<String, Object>>) receivers.get("pager").get("sns_configs")).getFirst();
    assertThat((String) sns.get("topic_arn")).startsWith("arn:aws:sns:");
    // No keys, profile or role: the SDK's default chain, i.e. the pod's Pod Identity credentials.
    assertThat((Map<String, Object>) sns.get("sigv4")).containsOnlyKeys("region");

    Map<String, Object> slack = ((List<Map<String, Object>>) receivers.get("chat").get("slack_configs")).getFirst();
    assertThat(slack).doesNotContainKey("api_url");
    String urlFile = (String) slack.get("api_url_file");
    PodSpec pod = manifests.named(StatefulSet.class, ALERTMANAGER).getSpec().getTemplate().getSpec();
    Container alertmanager = pod.getContainers().getFirst();
    var mount = alertmanager.getVolumeMounts().stream()
        .filter(m -> urlFile.startsWith(m.getMountPath() + "/")).findFirst().orElseThrow(
            () -> new AssertionError("nothing is mounted where api_url_file points: " + urlFile));
    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("alertmanager-slack");
    assertThat(volume.getSecret().getOptional()).as("a missing Secret must stop the rollout").isNotEqualTo(Boolean.TRUE);
    assertThat(urlFile).endsWith("/webhook-url");

    // Pod Identity credentials need Alertmanager 0.27 or newer (AWS SDK for Go 1.47.11+).
    String tag = alertmanager.getImage().substring(alertmanager.getImage().lastIndexOf(':') + 2);
    String[] version = tag.split("\\.");
    assertThat(Integer.parseInt(version[0]) * 1000 + Integer.parseInt(version[1])).as(alertmanager.getImage())
        .isGreaterThanOrEqualTo(27);
    assertThat(pod.getServiceAccountName()).isEqualTo("alertmanager");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  void noSecretAndNoCredentialIsRendered(String cluster) {
    String rendered = MonitoringAddon.render(cluster);

    assertThat(MonitoringAddon.objects(rendered).find(Secret.class)).isEmpty();
    assertThat(rendered)
        .doesNotContainPattern("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b")
        .doesNotContainPattern("(?m)^\\s*(access_key|secret_key|api_url|api_key|auth_password|password):")
        .doesNotContain("hooks.slack.com");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  @SuppressWarnings("unchecked")
  void prometheusLoadsTheUsersInfoChartsRuleFileFromAnOptionalVolume(String cluster) {
    Manifests manifests = objects(cluster);
    Map<String, Object> config = prometheusConfig(manifests);
    Deployment server = manifests.named(Deployment.class, PROMETHEUS);
    PodSpec pod = server.getSpec().getTemplate().getSpec();
    Container prometheus = pod.getContainers().stream().filter(c -> c.getName().equals("prometheus-server"))
        .findFirst().orElseThrow();
    // What the users-info chart renders for kind (and, with the same values, for EKS).
    ConfigMap rules = Chart.objects(Chart.ciValues("kind-values.yaml")).named(ConfigMap.class, "users-info-alert-rules");

    Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals("service-alert-rules")).findFirst().orElseThrow();
    var source = volume.getProjected().getSources().getFirst().getConfigMap();
    assertThat(source.getName()).isEqualTo(rules.getMetadata().getName());
    assertThat(rules.getMetadata().getNamespace()).isEqualTo(MonitoringAddon.NAMESPACE);
    assertThat(source.getOptional()).as("Prometheus starts before the service is installed").isTrue();
    assertThat(source.getItems()).singleElement().satisfies(item -> {
      assertThat(rules.getData()).containsKey(item.getKey());
      assertThat(item.getPath()).isEqualTo("users-info.yaml");
    });
    assertThat(prometheus.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("service-alert-rules");
      assertThat(m.getMountPath()).isEqualTo("/etc/prometheus-rules");
    });
    assertThat((List<String>) config.get("rule_files")).contains("/etc/prometheus-rules/*.yaml");
    // Tests and scripts reload Prometheus after the rules arrive (POST /-/reload).
    assertThat(prometheus.getArgs()).contains("--web.enable-lifecycle");
    assertThat((Map<String, Object>) config.get("global")).containsEntry("scrape_interval", "15s");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  @SuppressWarnings("unchecked")
  void prometheusFindsTheServicesPodsAndKubeStateMetricsAndItsAlertmanager(String cluster) {
    Manifests manifests = objects(cluster);
    Map<String, Object> config = prometheusConfig(manifests);
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");

    assertThat(jobs).extracting(job -> job.get("job_name"))
        .contains("kubernetes-pods", "kubernetes-service-endpoints", "kubernetes-nodes-cadvisor")
        .doesNotContain("prometheus-pushgateway", "kubernetes-services");
    Map<String, Object> pods = jobs.stream().filter(j -> j.get("job_name").equals("kubernetes-pods")).findFirst().orElseThrow();
    // The rules and the dashboard select the service's series by these two labels.
    assertThat((List<Map<String, Object>>) pods.get("relabel_configs")).extracting(r -> r.get("target_label"))
        .contains("namespace", "pod");
    Service ksm = manifests.named(Service.class, "monitoring-kube-state-metrics");
    assertThat(ksm.getMetadata().getAnnotations()).containsEntry("prometheus.io/scrape", "true");
    assertThat(((Map<String, Object>) config.get("alerting")).toString()).contains("app_kubernetes_io_name", "alertmanager");
    // Node exporter and Pushgateway are not part of the add-on.
    assertThat(manifests.find(DaemonSet.class)).isEmpty();
    assertThat(manifests.all()).noneMatch(o -> o.getMetadata().getName().contains("pushgateway"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  void everyContainerRunsRestricted(String cluster) {
    Manifests manifests = objects(cluster);
    List<PodSpec> pods = podSpecs(manifests);

    assertThat(pods).hasSize(3);
    for (PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
      for (Container container : pod.getContainers()) {
        SecurityContext security = container.getSecurityContext();
        assertThat(security).as(container.getName()).isNotNull();
        assertThat(security.getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
        assertThat(security.getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
        assertThat(security.getCapabilities().getDrop()).as(container.getName()).containsExactly("ALL");
      }
    }
  }

  @Test
  void kindIsSmallLocalAndReachableOnTheMappedNodePorts() {
    Manifests manifests = objects("kind");
    PodSpec server = manifests.named(Deployment.class, PROMETHEUS).getSpec().getTemplate().getSpec();
    Container ksm = manifests.named(Deployment.class, "monitoring-kube-state-metrics").getSpec().getTemplate().getSpec()
        .getContainers().getFirst();

    for (PodSpec pod : podSpecs(manifests)) {
      for (Container container : pod.getContainers()) {
        Map<String, Quantity> requests = container.getResources().getRequests();
        assertThat(requests).as(container.getName()).containsKeys("cpu", "memory");
        assertThat(Quantity.getAmountInBytes(requests.get("cpu"))).as(container.getName()).isLessThanOrEqualTo(new BigDecimal("0.1"));
        assertThat(Quantity.getAmountInBytes(requests.get("memory"))).as(container.getName())
            .isLessThanOrEqualTo(new BigDecimal(256L * 1024 * 1024));
      }
    }
    // No config reloader image here; no volumes to keep.
    assertThat(server.getContainers()).extracting(Container::getName).containsExactly("prometheus-server");
    assertThat(manifests.find(PersistentVolumeClaim.class)).isEmpty();
    assertThat(manifests.named(StatefulSet.class, ALERTMANAGER).getSpec().getVolumeClaimTemplates()).isNullOrEmpty();
    assertThat(server.getContainers().getFirst().getArgs()).contains("--storage.tsdb.retention.time=6h");
    assertThat(manifests.named(Service.class, PROMETHEUS).getSpec().getPorts().getFirst().getNodePort()).isEqualTo(30090);
    assertThat(manifests.named(Service.class, ALERTMANAGER).getSpec().getPorts().getFirst().getNodePort()).isEqualTo(30093);
    // Our kube-state-metrics subset implements these two collectors.
    assertThat(ksm.getArgs()).contains("--resources=horizontalpodautoscalers,pods");
  }

  @Test
  void eksKeepsItsDataAndRunsTheConfigReloader() {
    Manifests manifests = objects("eks");
    PodSpec server = manifests.named(Deployment.class, PROMETHEUS).getSpec().getTemplate().getSpec();

    assertThat(manifests.named(PersistentVolumeClaim.class, PROMETHEUS).getSpec().getResources().getRequests())
        .containsKey("storage");
    assertThat(manifests.named(StatefulSet.class, ALERTMANAGER).getSpec().getVolumeClaimTemplates()).isNotEmpty();
    Container reloader = server.getContainers().stream().filter(c -> c.getName().endsWith("configmap-reload"))
        .findFirst().orElseThrow(() -> new AssertionError("no config reloader next to Prometheus"));
    assertThat(reloader.getArgs()).contains("--watched-dir=/etc/config", "--watched-dir=/etc/prometheus-rules");
  }

  private static long seconds(String duration) {
    assertThat(duration).matches("\\d+[sm]");
    long amount = Long.parseLong(duration.substring(0, duration.length() - 1));
    return duration.endsWith("m") ? amount * 60 : amount;
  }

  /** Every object is in the add-on's namespace or cluster-scoped. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"eks", "kind"})
  void everythingLivesInTheMonitoringNamespace(String cluster) {
    for (HasMetadata object : objects(cluster).all()) {
      String namespace = object.getMetadata().getNamespace();
      assertThat(namespace == null || namespace.equals(MonitoringAddon.NAMESPACE))
          .as("%s %s in %s", object.getKind(), object.getMetadata().getName(), namespace).isTrue();
    }
  }
}
