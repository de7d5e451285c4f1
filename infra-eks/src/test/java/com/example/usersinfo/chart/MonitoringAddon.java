package com.example.usersinfo.chart;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring add-on (infra-eks/addons/prometheus): prometheus-community's `prometheus` chart from the module
 * config/charts.versions pins, with the subcharts it depends on copied from the same module into its charts/
 * directory (what scripts/cluster.sh does, since `helm dependency build` needs the chart repository), rendered
 * as cluster.sh and the EKS deploy install it: release `monitoring` in namespace `monitoring`.
 */
final class MonitoringAddon {

  static final String MODULE = "github.com/prometheus-community/helm-charts";
  static final String RELEASE = "monitoring";
  static final String NAMESPACE = "monitoring";
  static final Path VALUES = Path.of(System.getProperty("addons.dir", "addons")).resolve("prometheus").toAbsolutePath();
  static final Path WORK = Path.of(System.getProperty("addons.work", "target/addons")).toAbsolutePath();
  private static Path chart;

  private MonitoringAddon() {}

  /** values.yaml plus values-CLUSTER.yaml (kind or eks), rendered. */
  static String render(String cluster) {
    return new Helm(chart()).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE)
        .withKubeVersion(Chart.KUBERNETES_VERSION)
        .withValuesFile(VALUES.resolve("values.yaml"))
        .withValuesFile(VALUES.resolve("values-" + cluster + ".yaml"))
        .call();
  }

  static Manifests objects(String rendered) {
    List<HasMetadata> objects = new KubernetesSerialization().unmarshal(
        new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)));
    return new Manifests(objects);
  }

  /** The chart with its dependencies, assembled once per test JVM under target/. */
  static synchronized Path chart() {
    if (chart == null) {
      Path source = UpstreamCharts.chart(MODULE, "charts/prometheus");
      Path target = WORK.resolve("prometheus");
      deleteRecursively(target);
      copyRecursively(source, target);
      Map<String, List<Map<String, String>>> meta = load(source.resolve("Chart.yaml"));
      for (Map<String, String> dependency : meta.get("dependencies")) {
        String name = dependency.get("name");
        copyRecursively(UpstreamCharts.chart(MODULE, "charts/" + name), target.resolve("charts").resolve(name));
      }
      chart = target;
    }
    return chart;
  }

  /** The parsed YAML of FILE. */
  static <T> T load(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyRecursively(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path destination = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(destination);
        } else {
          // The module cache is read-only; copies must stay deletable.
          Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
          destination.toFile().setWritable(true, true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
