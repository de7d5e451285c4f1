package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every ci/*-values.yaml rendering, sent to the API server of the local kind cluster (make cluster) with
 * {@code kubectl apply --dry-run=server --validate=strict}: the Kubernetes version the platform targets
 * accepts every field, and Pod Security admission finds nothing to warn about at the "restricted" level.
 * ServiceMonitor and PrometheusRule are validated against the Prometheus Operator's own CRDs (from its Go
 * module, version in config/charts.versions), installed for the test when the cluster lacks them.
 */
class ServerSideDryRunIT {

  private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final Path KUBECONFIG = ROOT.resolve(".local/kubeconfig");
  private static final Path WORK = ROOT.resolve("infra-eks/target/dry-run");
  private static final String NAMESPACE = "chart-dry-run-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String OPERATOR = "github.com/prometheus-operator/prometheus-operator";
  private static final List<String> OPERATOR_CRDS = List.of("servicemonitors", "prometheusrules");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static final List<String> installedCrds = new ArrayList<>();

  static Stream<Path> ciValues() throws IOException {
    return ChartPolicyTest.ciValues();
  }

  @BeforeAll
  static void namespaceAndCrds() throws IOException {
    if (!Files.isRegularFile(KUBECONFIG)) {
      fail("no kubeconfig at %s: run `make cluster` (it creates the kind cluster users-info)", KUBECONFIG);
    }
    Files.createDirectories(WORK);
    kubectl("create", "namespace", NAMESPACE);
    kubectl("label", "namespace", NAMESPACE, "app.kubernetes.io/part-of=users-info-tests",
        "pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted");
    for (String crd : OPERATOR_CRDS) {
      String name = crd + ".monitoring.coreos.com";
      if (kubectlResult("get", "crd", name).exitCode() != 0) {
        Path file = UpstreamCharts.module(OPERATOR).resolve("example/prometheus-operator-crd/monitoring.coreos.com_" + crd + ".yaml");
        kubectl("apply", "--server-side", "-f", file.toString());
        installedCrds.add(name);
        kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/" + name);
      }
    }
  }

  @AfterAll
  static void removeWhatTheTestCreated() {
    kubectlResult("delete", "namespace", NAMESPACE, "--wait=false");
    installedCrds.forEach(crd -> kubectlResult("delete", "crd", crd, "--wait=false"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ciValues")
  void theApiServerAcceptsEveryObject(Path values) throws IOException {
    List<HasMetadata> objects = SERIALIZATION.unmarshal(
        new ByteArrayInputStream(Chart.render(values).getBytes(StandardCharsets.UTF_8)));
    // Into the test's namespace, including the rules ConfigMap that the ci values send to "monitoring".
    objects.forEach(object -> object.getMetadata().setNamespace(NAMESPACE));
    // A fixed nodePort (kind's 30080) is taken by the deployed release; the API server allocates another.
    objects.stream().filter(Service.class::isInstance).map(Service.class::cast)
        .forEach(service -> service.getSpec().getPorts().forEach(port -> port.setNodePort(null)));
    Path manifests = WORK.resolve(values.getFileName());
    Files.writeString(manifests, objects.stream().map(SERIALIZATION::asYaml).reduce("", String::concat));

    ProjectTools.Result result = kubectlResult("apply", "--dry-run=server", "--validate=strict",
        "-n", NAMESPACE, "-f", manifests.toString());

    assertThat(result.exitCode()).as("kubectl apply --dry-run=server of %s:%n%s", manifests, result.output()).isZero();
    assertThat(result.output()).as("warnings (Pod Security, deprecations) for %s", manifests).doesNotContain("Warning:");
    assertThat(result.output().lines().filter(line -> line.endsWith("(server dry run)")))
        .as("objects accepted:%n%s", result.output()).hasSize(objects.size());
  }

  private static void kubectl(String... arguments) {
    ProjectTools.Result result = kubectlResult(arguments);
    if (result.exitCode() != 0) {
      fail("kubectl %s failed:%n%s%nIs the cluster up? `make cluster`; `kubectl --kubeconfig %s get nodes`",
          String.join(" ", arguments), result.output(), KUBECONFIG);
    }
  }

  private static ProjectTools.Result kubectlResult(String... arguments) {
    List<String> command = new ArrayList<>(List.of(ProjectTools.tool("kubectl").toString(), "--kubeconfig", KUBECONFIG.toString()));
    command.addAll(List.of(arguments));
    return ProjectTools.run(ROOT, command);
  }
}
