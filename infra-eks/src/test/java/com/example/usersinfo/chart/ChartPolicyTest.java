package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The policies every rendering keeps, for each ci/*-values.yaml, plus what each variant sets. */
class ChartPolicyTest {

  static Stream<Path> ciValues() throws IOException {
    try (Stream<Path> files = Files.list(Chart.DIR.resolve("ci"))) {
      return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList().stream();
    }
  }

  @Test
  void lintsCleanInStrictMode() {
    var result = new Helm(Chart.DIR).lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void everyVariantIsTested() throws IOException {
    assertThat(ciValues()).extracting(p -> p.getFileName().toString())
        .containsExactly("default-values.yaml", "eks-values.yaml", "fluent-bit-sidecar-values.yaml", "kind-values.yaml",
            "prometheus-operator-values.yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void podsMeetTheRestrictedPodSecurityStandard(Path values) {
    PodSpec pod = Chart.objects(values).one(Deployment.class).getSpec().getTemplate().getSpec();
    Container app = pod.getContainers().getFirst();

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    // Init containers too: the Fluent Bit sidecar is one (logs.sidecar).
    for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList()) {
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
    }
    // A read-only root needs a writable /tmp (JVM, Netty native libraries).
    assertThat(app.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    Volume tmp = pod.getVolumes().stream().filter(v -> v.getName().equals("tmp")).findFirst().orElseThrow();
    assertThat(tmp.getEmptyDir().getSizeLimit()).isNotNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void rolloutLosesNoRequest(Path values) {
    Deployment deployment = Chart.objects(values).one(Deployment.class);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container app = pod.getContainers().getFirst();

    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/readiness");
    assertThat(app.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/liveness");
    assertThat(app.getStartupProbe()).isNotNull();
    long preStop = app.getLifecycle().getPreStop().getSleep().getSeconds();
    // The service's own graceful shutdown takes up to 20 s after the preStop pause.
    assertThat(preStop + 20).isLessThanOrEqualTo(pod.getTerminationGracePeriodSeconds());
    assertThat(app.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(app.getResources().getLimits()).containsKey("memory");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void everythingSelectsTheSamePodsAndCarriesStandardLabels(Path values) {
    Manifests manifests = Chart.objects(values);
    Deployment deployment = manifests.one(Deployment.class);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();

    assertThat(podLabels).containsAllEntriesOf(selector);
    assertThat(manifests.one(Service.class).getSpec().getSelector()).isEqualTo(selector);
    assertThat(manifests.one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels()).isEqualTo(selector);
    assertThat(manifests.one(NetworkPolicy.class).getSpec().getPodSelector().getMatchLabels()).isEqualTo(selector);
    assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
        .isNotEmpty()
        .allSatisfy(c -> {
          assertThat(c.getLabelSelector().getMatchLabels()).isEqualTo(selector);
          assertThat(c.getMatchLabelKeys()).containsExactly("pod-template-hash");
        });
    for (HasMetadata object : manifests.all()) {
      assertThat(object.getMetadata().getLabels()).as("%s labels", object.getKind())
          .containsKeys("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
              "app.kubernetes.io/managed-by", "helm.sh/chart");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void noSecretsAndNoApiAccess(Path values) {
    Manifests manifests = Chart.objects(values);

    assertThat(manifests.find(Secret.class)).isEmpty();
    assertThat(manifests.all()).extracting(HasMetadata::getKind)
        .doesNotContain("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");
    assertThat(manifests.one(ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void configurationIsTheMountedFileTheServiceReads(Path values) {
    Manifests manifests = Chart.objects(values);
    Deployment deployment = manifests.one(Deployment.class);
    Container app = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();

    assertThat(app.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("MICRONAUT_CONFIG_FILES");
      assertThat(e.getValue()).isEqualTo("/config/application.yml");
    });
    assertThat(app.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/config");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(manifests.named(ConfigMap.class, "users-info").getData().get("application.yml")).contains("users-info:", "table:");
    // Pods restart when the configuration changes.
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");
  }

  @Test
  void defaultsScaleOnCpuFromOneToTenReplicas() {
    Manifests manifests = Chart.objects(Chart.ciValues("default-values.yaml"));
    HorizontalPodAutoscaler hpa = manifests.one(HorizontalPodAutoscaler.class);

    assertThat(manifests.one(Deployment.class).getSpec().getReplicas()).as("the HPA owns the count").isNull();
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
    assertThat(hpa.getSpec().getMetrics().getFirst().getResource().getName()).isEqualTo("cpu");
    assertThat(hpa.getSpec().getMetrics().getFirst().getResource().getTarget().getAverageUtilization()).isEqualTo(80);
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds()).isEqualTo(300);
    assertThat(manifests.one(Service.class).getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(manifests.one(Deployment.class).getMetadata().getName()).isEqualTo("users-info");
  }

  @Test
  void eksRunsBehindAnNlbPinnedByDigestSpreadOverZones() {
    Manifests manifests = Chart.objects(Chart.ciValues("eks-values.yaml"));
    Service service = manifests.one(Service.class);
    PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(service.getMetadata().getAnnotations())
        .containsEntry("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip");
    assertThat(pod.getContainers().getFirst().getImage()).contains("@sha256:");
    assertThat(pod.getTopologySpreadConstraints()).anySatisfy(c -> {
      assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
      assertThat(c.getWhenUnsatisfiable()).isEqualTo("DoNotSchedule");
    });
    assertThat(manifests.one(HorizontalPodAutoscaler.class).getSpec().getMinReplicas()).isEqualTo(2);
  }

  @Test
  void kindUsesTheLoadedImageAndDynamoDbLocalOnTheMappedNodePort() {
    Manifests manifests = Chart.objects(Chart.ciValues("kind-values.yaml"));
    Container app = manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().getFirst();

    assertThat(app.getImage()).isEqualTo("users-info:local");
    assertThat(app.getImagePullPolicy()).isEqualTo("Never");
    assertThat(manifests.one(Service.class).getSpec().getPorts().getFirst().getNodePort()).isEqualTo(30080);
    assertThat(manifests.named(ConfigMap.class, "users-info").getData().get("application.yml"))
        .contains("endpoint: http://users-info-dynamodb:8000");
  }

  @Test
  void eksAndKindHandTheRulesToThePrometheusOfTheMonitoringNamespace() {
    for (String variant : List.of("eks-values.yaml", "kind-values.yaml")) {
      Manifests manifests = Chart.objects(Chart.ciValues(variant));

      assertThat(manifests.named(ConfigMap.class, "users-info-alert-rules").getMetadata().getNamespace())
          .as(variant).isEqualTo("monitoring");
      assertThat(manifests.custom("PrometheusRule")).as(variant).isEmpty();
    }
  }

  @Test
  void anOperatorRunClusterGetsAServiceMonitorAndAPrometheusRuleItsSelectorsMatch() {
    Manifests manifests = Chart.objects(Chart.ciValues("prometheus-operator-values.yaml"));

    assertThat(manifests.custom("PrometheusRule")).singleElement()
        .satisfies(rule -> assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack"));
    assertThat(manifests.custom("ServiceMonitor")).singleElement()
        .satisfies(monitor -> assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack"));
    assertThat(manifests.all()).noneMatch(object -> object.getMetadata().getName().equals("users-info-alert-rules"));
    assertThat(manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKey("prometheus.io/scrape");
  }
}
