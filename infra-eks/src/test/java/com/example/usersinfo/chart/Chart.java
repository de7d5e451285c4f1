package com.example.usersinfo.chart;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The chart under test, rendered by the real Helm library and read back as typed Kubernetes objects. */
final class Chart {

  static final Path DIR = Path.of(System.getProperty("chart.dir", "chart/users-info")).toAbsolutePath();
  static final String KUBERNETES_VERSION = System.getProperty("kubernetes.version", "");
  static final String RELEASE = "users-info";
  static final String NAMESPACE = "users-info";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Chart() {}

  /** helm template with the chart's values.yaml plus VALUES_FILE. */
  static String render(Path valuesFile) {
    return new Helm(DIR).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(KUBERNETES_VERSION)
        .withValuesFile(valuesFile)
        .call();
  }

  static Manifests objects(Path valuesFile) {
    List<HasMetadata> objects = SERIALIZATION.unmarshal(
        new ByteArrayInputStream(render(valuesFile).getBytes(StandardCharsets.UTF_8)));
    return new Manifests(objects);
  }

  static Path ciValues(String name) {
    return DIR.resolve("ci").resolve(name);
  }
}
