package com.example.usersinfo.chart;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Helm charts published by other projects (cluster add-ons), as their users install them: the chart directory
 * inside the Go module of the repository that holds it, at the version config/charts.versions pins. The same
 * command as scripts/cluster.sh uses for metrics-server's chart: {@code go mod download -json MODULE@VERSION},
 * whose "Dir" is the module's read-only copy in the Go module cache (checksummed by sum.golang.org).
 */
final class UpstreamCharts {

  static final Path VERSIONS = Path.of(System.getProperty("project.root", ".."))
      .resolve("config/charts.versions").toAbsolutePath().normalize();
  /** A module is downloaded (or found in the cache) once per test JVM. */
  private static final Map<String, Path> MODULES = new ConcurrentHashMap<>();
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private UpstreamCharts() {}

  /**
   * The chart at PATH_IN_MODULE of MODULE, e.g. {@code chart("github.com/aws/eks-charts",
   * "stable/aws-for-fluent-bit")}; fails naming what to fix when the version is not pinned, the download
   * fails, or there is no chart there.
   */
  static Path chart(String module, String pathInModule) {
    String query = module + "@" + version(module);
    Path chart = MODULES.computeIfAbsent(query, UpstreamCharts::download).resolve(pathInModule);
    if (!Files.isRegularFile(chart.resolve("Chart.yaml"))) {
      throw new IllegalStateException(query + " has no chart at " + pathInModule + " (no " + chart.resolve("Chart.yaml")
          + "): check the path, or the version in " + VERSIONS);
    }
    return chart;
  }

  /** The version config/charts.versions pins for MODULE (a line KEY=MODULE@VERSION). */
  static String version(String module) {
    List<String> lines;
    try {
      lines = Files.readAllLines(VERSIONS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + VERSIONS + " (system property project.root is the repository root)", e);
    }
    String prefix = module + "@";
    return lines.stream()
        .map(String::strip)
        .filter(line -> !line.startsWith("#") && line.contains("="))
        .map(line -> line.substring(line.indexOf('=') + 1))
        .filter(value -> value.startsWith(prefix))
        .map(value -> value.substring(prefix.length()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(VERSIONS + " pins no version of " + module
            + ": add a line KEY=" + module + "@VERSION (`go list -m -versions " + module + "` lists tagged versions;"
            + " `go list -m " + module + "@<commit>` prints a commit's pseudo-version)"));
  }

  private static Path download(String query) {
    ProcessBuilder command = new ProcessBuilder("go", "mod", "download", "-json", query)
        // Outside any Go module or workspace of this repository, so nothing there can change the resolution.
        .directory(Path.of(System.getProperty("java.io.tmpdir")).toFile());
    Process go;
    try {
      go = command.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run `go mod download -json " + query + "`: Go is needed for the"
          + " charts of cluster add-ons; install Go 1.21 or newer (https://go.dev/dl), as `make prereqs` says", e);
    }
    try {
      CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(go.getErrorStream()));
      String stdout = readAll(go.getInputStream());
      if (!go.waitFor(5, TimeUnit.MINUTES)) {
        go.destroyForcibly();
        throw new IllegalStateException("`go mod download -json " + query + "` took over 5 minutes: is the Go module"
            + " proxy reachable (go env GOPROXY)?");
      }
      Map<?, ?> module = stdout.isBlank() ? Map.of() : JSON.unmarshal(stdout, Map.class);
      if (go.exitValue() != 0 || module.get("Error") != null || module.get("Dir") == null) {
        throw new IllegalStateException("`go mod download -json " + query + "` failed (exit " + go.exitValue() + "): "
            + (module.get("Error") != null ? module.get("Error") : stdout + stderr.join())
            + "; check the version in " + VERSIONS + " and that the Go module proxy is reachable (go env GOPROXY)");
      }
      return Path.of((String) module.get("Dir"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while downloading " + query, e);
    }
  }

  private static String readAll(InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
