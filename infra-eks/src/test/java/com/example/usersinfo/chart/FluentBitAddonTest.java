package com.example.usersinfo.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
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

/**
 * The default log path (docs/logs.md): AWS's aws-for-fluent-bit chart, from the Go module config/charts.versions
 * pins, rendered with infra-eks/addons/aws-for-fluent-bit/values.yaml and the two values the deploy step sets.
 */
class FluentBitAddonTest {

  static final Path VALUES = Path.of(System.getProperty("addons.dir", "addons"))
      .resolve("aws-for-fluent-bit/values.yaml").toAbsolutePath();
  static final String RELEASE = "aws-for-fluent-bit";
  static final String NAMESPACE = "amazon-cloudwatch";
  static final String REGION = "eu-west-1";
  static final String LOG_GROUP = "/aws/eks/users-info/containers";

  private static TemplateCommand template() {
    return new Helm(UpstreamCharts.chart("github.com/aws/eks-charts", "stable/aws-for-fluent-bit")).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(Chart.KUBERNETES_VERSION)
        .withValuesFile(VALUES);
  }

  /** As the deploy step installs it. */
  private static String render() {
    return template()
        .set("cloudWatchLogs.region", REGION)
        .set("cloudWatchLogs.logGroupName", LOG_GROUP)
        .call();
  }

  private static Manifests objects(String rendered) {
    List<HasMetadata> objects = new KubernetesSerialization().unmarshal(
        new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)));
    return new Manifests(objects);
  }

  private static String fluentBitConf(Manifests manifests) {
    return manifests.one(ConfigMap.class).getData().get("fluent-bit.conf");
  }

  @Test
  void aDaemonSetRunsThePinnedImageOnEveryNode() throws IOException {
    Map<String, Map<String, Object>> values = new Yaml().load(Files.readString(VALUES));
    Map<String, Object> image = values.get("image");
    PodSpec pod = objects(render()).one(DaemonSet.class).getSpec().getTemplate().getSpec();
    Container agent = pod.getContainers().getFirst();

    assertThat((String) image.get("tag")).as("a pinned release, not a moving tag").matches("\\d+\\.\\d+\\.\\d+");
    assertThat(agent.getImage()).isEqualTo(image.get("repository") + ":" + image.get("tag"));
    assertThat(pod.getTolerations()).anySatisfy(t -> {
      assertThat(t.getOperator()).isEqualTo("Exists");
      assertThat(t.getKey()).isNull();
    });
    assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
  }

  @Test
  void containerLogsGoToTheClustersLogGroupAsParsedJson() {
    String conf = fluentBitConf(objects(render()));

    assertThat(conf).containsPattern("(?m)^\\s+Name\\s+cloudwatch_logs$")
        .containsPattern("(?m)^\\s+region\\s+" + REGION + "$")
        .containsPattern("(?m)^\\s+log_group_name\\s+" + LOG_GROUP + "$")
        .containsPattern("(?m)^\\s+log_stream_template\\s+\\$kubernetes\\['namespace_name'\\]")
        // The older Go output has no Pod Identity support.
        .doesNotContainPattern("(?m)^\\s+Name\\s+cloudwatch$")
        // Terraform owns the group and its retention.
        .doesNotContain("auto_create_group")
        .doesNotContain("log_retention_days");
    // JSON lines become top-level fields; the raw line is not shipped twice.
    assertThat(conf).containsPattern("(?m)^\\s+Merge_Log\\s+On$")
        .containsPattern("(?m)^\\s+Keep_Log\\s+Off$")
        .doesNotContain("Merge_Log_Key");
    assertThat(conf).containsPattern("(?m)^\\s+Path\\s+/var/log/containers/\\*\\.log$")
        .containsPattern("(?m)^\\s+Exclude_Path\\s+/var/log/containers/aws-for-fluent-bit-\\*\\.log$");
  }

  @Test
  void credentialsComeFromPodIdentityNotFromValues() {
    String rendered = render();
    Manifests manifests = objects(rendered);

    assertThat(manifests.find(Secret.class)).isEmpty();
    assertThat(rendered).doesNotContainPattern("(?i)aws_access_key_id|aws_secret_access_key|aws_session_token")
        .doesNotContainPattern("\\b(AKIA|ASIA)[0-9A-Z]{16}\\b")
        .doesNotContain("role_arn");
    ServiceAccount account = manifests.one(ServiceAccount.class);
    assertThat(account.getMetadata().getName()).isEqualTo("aws-for-fluent-bit");
    assertThat(account.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(account.getMetadata().getAnnotations()).as("no IRSA role annotation").isNullOrEmpty();
    assertThat(manifests.one(DaemonSet.class).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("aws-for-fluent-bit");
  }

  @Test
  void theAgentReadsNodeLogsButCannotChangeThem() {
    PodSpec pod = objects(render()).one(DaemonSet.class).getSpec().getTemplate().getSpec();
    Container agent = pod.getContainers().getFirst();

    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(agent.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(agent.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/var/log");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(pod.getVolumes()).extracting(v -> v.getHostPath() == null ? null : v.getHostPath().getPath())
        .containsExactlyInAnyOrder(null, "/var/log", "/var/lib/aws-for-fluent-bit");
  }

  @Test
  void noUpstreamDefaultDestinationSurvivesWhenTheDeployStepSetsNone() {
    String conf = fluentBitConf(objects(template().call()));

    assertThat(conf).doesNotContain("us-east-1").doesNotContain("/aws/eks/fluentbit-cloudwatch");
  }
}
