package com.example.usersinfo.environment.cluster;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local kind cluster of {@code make cluster} as the cluster tests reach it, and the tools around it; public for
 * the end-to-end tests (package e2e), which drive the same cluster.
 */
public final class KindCluster {

    public static final String NAME = "users-info";
    public static final String NODE = NAME + "-control-plane";
    static final String FIX = "run `make cluster` (it creates or repairs the kind cluster " + NAME + ")";
    static final Path ROOT = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    static final Path KUBECONFIG = ROOT.resolve(".local/kubeconfig");

    private KindCluster() {
    }

    /** A client of the cluster; fails at once, naming the fix, when there is no cluster or it does not answer. */
    public static KubernetesClient connect() throws IOException {
        if (!Files.isRegularFile(KUBECONFIG)) {
            fail("kind cluster %s: no kubeconfig at %s; %s", NAME, KUBECONFIG, FIX);
        }
        Config config = Config.fromKubeconfig(Files.readString(KUBECONFIG));
        // A cluster that is down must fail at once, not after the client's retries.
        config.setRequestRetryBackoffLimit(0);
        config.setConnectionTimeout(5_000);
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        try {
            client.getKubernetesVersion();
        } catch (KubernetesClientException e) {
            fail("kind cluster %s does not answer at %s (%s); %s", NAME, config.getMasterUrl(), e.getMessage(), FIX);
        }
        ensureServiceRouting();
        return client;
    }

    /**
     * Pods reach Service IPs and NodePorts only while kube-proxy's nftables maps are intact, which this
     * machine's kernel breaks at kube-proxy's hourly full sync (scripts/lib.sh, service_routing): the same
     * check and repair as make cluster's, alone (a fraction of a second when the maps are intact).
     */
    private static void ensureServiceRouting() {
        run(List.of(ROOT.resolve("scripts/cluster.sh").toString(), "--service-routing"), Duration.ofMinutes(2));
    }

    /** A tool `make prereqs` installs into the project's cache. */
    public static Path tool(String name) {
        String cache = System.getenv("USERS_INFO_CACHE");
        Path tool = (cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "users-info"))
                .resolve("bin").resolve(name);
        if (!Files.isExecutable(tool)) {
            fail("%s is not at %s: run `make prereqs`", name, tool);
        }
        return tool;
    }

    /** Copies an image of Docker Engine into the node's containerd. */
    static void loadImage(String image) {
        run(List.of(tool("kind").toString(), "load", "docker-image", "--name", NAME, image), Duration.ofMinutes(2));
    }

    /**
     * The directory of an upstream Go module at the version config/charts.versions pins (a line
     * KEY=MODULE@VERSION), downloaded into Go's module cache once.
     */
    static Path pinnedModule(String module) {
        Path versions = ROOT.resolve("config/charts.versions");
        String pinned;
        try {
            pinned = Files.readAllLines(versions).stream().map(String::strip)
                    .filter(line -> !line.startsWith("#") && line.contains("=" + module + "@"))
                    .map(line -> line.substring(line.indexOf('=') + 1))
                    .findFirst().orElseThrow(() -> new AssertionError(versions + " pins no version of " + module));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + versions, e);
        }
        String json = run(List.of("go", "mod", "download", "-json", pinned), Duration.ofMinutes(5));
        try {
            return Path.of(new ObjectMapper().readTree(json).path("Dir").asText());
        } catch (IOException e) {
            throw new AssertionError("go mod download printed no JSON: " + json, e);
        }
    }

    /** Runs COMMAND (its stderr to the test's log); its stdout, or a failure with its exit code and output. */
    public static String run(List<String> command, Duration timeout) {
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.getFirst() + " (" + e.getMessage() + "): run `make prereqs`", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(String.join(" ", command) + " interrupted", e);
        }
    }

    /** An autoscaling/v2 HPA on 80 % CPU of Deployment NAME, as the chart's (the shape the platform relies on). */
    static HorizontalPodAutoscaler cpuAutoscaler(String name, int minReplicas, int maxReplicas) {
        return new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(name).endScaleTargetRef()
                .withMinReplicas(minReplicas).withMaxReplicas(maxReplicas)
                .addNewMetric().withType("Resource")
                .withNewResource().withName("cpu").withNewTarget().withType("Utilization").withAverageUtilization(80)
                .endTarget().endResource().endMetric()
                .endSpec().build();
    }
}
