package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Grafana (infra-eks/addons/grafana) as grafana-community's chart renders it: it reads the monitoring add-on's
 * Prometheus and loads the dashboards of every namespace, among them the one the users-info chart ships. No
 * Grafana image can be obtained on this machine, so the render is the proof (docs/monitoring.md, "Grafana").
 */
class GrafanaAddonTest {

  static final Path VALUES = Path.of(System.getProperty("addons.dir", "addons")).resolve("grafana/values.yaml")
      .toAbsolutePath();
  private static Manifests grafana;
  private static PodSpec pod;

  @BeforeAll
  static void render() {
    String rendered = new Helm(UpstreamCharts.chart("github.com/grafana-community/helm-charts", "charts/grafana"))
        .template()
        .withName("grafana")
        .withNamespace(MonitoringAddon.NAMESPACE)
        .withKubeVersion(Chart.KUBERNETES_VERSION)
        .withValuesFile(VALUES)
        .call();
    grafana = MonitoringAddon.objects(rendered);
    pod = grafana.one(Deployment.class).getSpec().getTemplate().getSpec();
  }

  private static Container container(String name) {
    return pod.getContainers().stream().filter(c -> c.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theDataSourcesAreTheMonitoringAddonsServices() {
    Manifests monitoring = MonitoringAddon.objects(MonitoringAddon.render("eks"));
    Map<String, Object> file = new Yaml().load(grafana.named(ConfigMap.class, "grafana").getData().get("datasources.yaml"));
    List<Map<String, Object>> sources = (List<Map<String, Object>>) file.get("datasources");

    Service prometheus = monitoring.named(Service.class, "monitoring-prometheus-server");
    Service alertmanager = monitoring.named(Service.class, "monitoring-alertmanager");
    assertThat(sources).anySatisfy(source -> {
      assertThat(source).containsEntry("type", "prometheus").containsEntry("isDefault", true);
      // Port 80 is the http scheme's default.
      assertThat(prometheus.getSpec().getPorts().getFirst().getPort()).isEqualTo(80);
      assertThat(source).containsEntry("url", "http://%s.%s.svc".formatted(prometheus.getMetadata().getName(),
          MonitoringAddon.NAMESPACE));
    });
    assertThat(sources).anySatisfy(source -> {
      assertThat(source).containsEntry("type", "alertmanager");
      assertThat(source).containsEntry("url", "http://%s.%s.svc:%d".formatted(alertmanager.getMetadata().getName(),
          MonitoringAddon.NAMESPACE, alertmanager.getSpec().getPorts().getFirst().getPort()));
    });
  }

  @Test
  void theSidecarLoadsTheUsersInfoDashboardFromAnyNamespace() {
    Container sidecar = container("grafana-sc-dashboard");
    ConfigMap dashboard = Chart.objects(Chart.ciValues("default-values.yaml")).named(ConfigMap.class, "users-info-dashboard");

    assertThat(env(sidecar, "NAMESPACE")).isEqualTo("ALL");
    assertThat(dashboard.getMetadata().getLabels()).containsEntry(env(sidecar, "LABEL"), env(sidecar, "LABEL_VALUE"));
    // Watching ConfigMaps in every namespace needs a ClusterRole.
    assertThat(grafana.one(ClusterRole.class).getRules()).anySatisfy(rule -> {
      assertThat(rule.getResources()).contains("configmaps");
      assertThat(rule.getVerbs()).contains("list", "watch");
    });
  }

  @Test
  void theAdminPasswordComesFromASecretOutsideGit() {
    Container server = container("grafana");

    assertThat(grafana.find(Secret.class)).as("the chart must not generate one").isEmpty();
    assertThat(server.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("GF_SECURITY_ADMIN_PASSWORD");
      assertThat(e.getValue()).isNull();
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("grafana-admin");
    });
  }

  @Test
  void everyContainerRunsRestricted() {
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    for (Container container : pod.getContainers()) {
      assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
      assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
      assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(container.getName()).containsExactly("ALL");
    }
    assertThat(pod.getInitContainers()).as("no chown init container: no persistence").isNullOrEmpty();
  }
}
