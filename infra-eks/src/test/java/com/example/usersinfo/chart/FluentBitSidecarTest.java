package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** logs.sidecar: Fluent Bit next to the service, shipping its log file to CloudWatch Logs (docs/logs.md). */
class FluentBitSidecarTest {

  static final Path SIDECAR_VALUES = Chart.ciValues("fluent-bit-sidecar-values.yaml");
  static final Path LOGBACK = Path.of(System.getProperty("project.root", ".."))
      .resolve("service/src/main/resources/logback.xml");

  private final Manifests manifests = Chart.objects(SIDECAR_VALUES);
  private final PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
  private final Container app = pod.getContainers().getFirst();
  private final Container sidecar = pod.getInitContainers().getFirst();
  private final String conf = manifests.named(ConfigMap.class, "users-info-fluent-bit").getData().get("fluent-bit.conf");

  @Test
  void offByDefault() {
    Manifests defaults = Chart.objects(Chart.ciValues("default-values.yaml"));
    PodSpec defaultPod = defaults.one(Deployment.class).getSpec().getTemplate().getSpec();

    assertThat(defaultPod.getInitContainers()).isEmpty();
    assertThat(defaultPod.getContainers().getFirst().getEnv()).extracting(EnvVar::getName)
        .doesNotContain("USERS_INFO_LOG_FILE");
    assertThat(defaults.all()).filteredOn(ConfigMap.class::isInstance)
        .noneMatch(configMap -> configMap.getMetadata().getName().contains("fluent-bit"));
  }

  @Test
  void aNativeSidecarRunsTheAddonsFluentBit() throws IOException {
    Map<String, Map<String, Object>> addon = new Yaml().load(Files.readString(FluentBitAddonTest.VALUES));

    assertThat(pod.getInitContainers()).hasSize(1);
    assertThat(sidecar.getName()).isEqualTo("fluent-bit");
    // restartPolicy Always on an init container: started before the service, stopped after it (Kubernetes 1.29+).
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getImage()).as("the same Fluent Bit as the DaemonSet add-on")
        .isEqualTo(addon.get("image").get("repository") + ":" + addon.get("image").get("tag"));
    assertThat(sidecar.getCommand()).containsExactly("/fluent-bit/bin/fluent-bit", "-c", "/fluent-bit/etc/fluent-bit.conf");
    assertThat(sidecar.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(sidecar.getResources().getLimits()).containsKey("memory");
  }

  @Test
  void theServiceWritesTheFileTheSidecarTails() throws IOException {
    String file = env(app, "USERS_INFO_LOG_FILE");
    VolumeMount appLogs = mount(app, "logs");
    VolumeMount sidecarLogs = mount(sidecar, "logs");

    assertThat(conf).containsPattern("(?m)^\\s+Path\\s+" + file + "$");
    assertThat(file).startsWith(appLogs.getMountPath() + "/");
    assertThat(appLogs.getReadOnly()).isNotEqualTo(Boolean.TRUE);
    assertThat(sidecarLogs.getMountPath()).isEqualTo(appLogs.getMountPath());
    assertThat(sidecarLogs.getReadOnly()).as("the sidecar cannot alter the log").isTrue();
    Volume logs = volume("logs");
    assertThat(logs.getEmptyDir().getMedium()).as("on disk: memory would count against the pod's limit").isNullOrEmpty();
    assertThat(logs.getEmptyDir().getSizeLimit()).isNotNull();
    // The service's side of the contract: logback.xml writes that variable's file, with the timestamp field the
    // sidecar's parser reads.
    String logback = Files.readString(LOGBACK);
    assertThat(logback).contains("<key>USERS_INFO_LOG_FILE</key>", "<file>${USERS_INFO_LOG_FILE}</file>",
        "<timestamp>timestamp</timestamp>");
    assertThat(manifests.named(ConfigMap.class, "users-info-fluent-bit").getData().get("parsers.conf"))
        .containsPattern("(?m)^\\s+Time_Key\\s+timestamp$");
  }

  @Test
  void shipsToTheConfiguredGroupWithThePodsOwnRole() {
    String rendered = Chart.render(SIDECAR_VALUES);

    assertThat(conf).containsPattern("(?m)^\\s+Name\\s+cloudwatch_logs$")
        .containsPattern("(?m)^\\s+region\\s+eu-west-1$")
        .containsPattern("(?m)^\\s+log_group_name\\s+/aws/eks/users-info/users-info$")
        .containsPattern("(?m)^\\s+log_stream_name\\s+users-info/\\$\\{POD_NAME}$")
        .containsPattern("(?m)^\\s+auto_create_group\\s+false$");
    EnvVar podName = sidecar.getEnv().stream().filter(e -> e.getName().equals("POD_NAME")).findFirst().orElseThrow();
    assertThat(podName.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(manifests.find(Secret.class)).isEmpty();
    assertThat(rendered).doesNotContainPattern("(?i)aws_access_key_id|aws_secret_access_key|aws_session_token")
        .doesNotContainPattern("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b")
        .doesNotContain("role_arn");
  }

  @Test
  void aChangedFluentBitConfigurationRollsThePods() {
    String before = checksum(Chart.objects(SIDECAR_VALUES));
    String after = checksum(objects(new Helm(Chart.DIR).template()
        .withName(Chart.RELEASE)
        .withNamespace(Chart.NAMESPACE)
        .withKubeVersion(Chart.KUBERNETES_VERSION)
        .withValuesFile(SIDECAR_VALUES)
        .set("logs.sidecar.cloudWatch.logGroup", "/aws/eks/users-info/elsewhere")
        .call()));

    assertThat(before).isNotBlank().isNotEqualTo(after);
  }

  /** Before 1.29 an init container's restartPolicy is dropped and the pod would wait for Fluent Bit to exit. */
  @Test
  void kubernetesWithoutNativeSidecarsIsRefused() {
    assertThatThrownBy(() -> new Helm(Chart.DIR).template()
        .withName(Chart.RELEASE)
        .withNamespace(Chart.NAMESPACE)
        .withKubeVersion("v1.28.15")
        .withValuesFile(SIDECAR_VALUES)
        .call())
        .hasMessageContaining("incompatible with Kubernetes v1.28.15");
  }

  private static String checksum(Manifests manifests) {
    return manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations()
        .get("checksum/fluent-bit");
  }

  private static Manifests objects(String rendered) {
    List<HasMetadata> objects = new KubernetesSerialization().unmarshal(
        new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)));
    return new Manifests(objects);
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .map(EnvVar::getValue).orElseThrow(() -> new AssertionError(container.getName() + " has no " + name));
  }

  private static VolumeMount mount(Container container, String volume) {
    return container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " does not mount " + volume));
  }

  private Volume volume(String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }
}
