package com.example.usersinfo.environment.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * kube-state-metrics as the platform runs it: the prometheus-community chart, unchanged, with the image the
 * images configuration names (key {@code kube-state-metrics.image}: our subset where no registry is reachable,
 * the upstream image elsewhere; both must pass) and the collectors the alert rules and the dashboard need.
 * Through the chart's Service it must report the kube-system pods as ready, an autoscaler's bounds and status,
 * and the restarts of a crashing container. Everything lives in its own namespace, which enforces the
 * restricted Pod Security Standard; the release and the namespace are removed afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeStateMetricsIT {
    private static final Path KUBECONFIG = KindCluster.KUBECONFIG;
    private static final String IMAGE_KEY = "kube-state-metrics.image";

    // The chart as published in prometheus-community/helm-charts, fetched through the Go module proxy at the
    // commit config/charts.versions pins (no Helm repository is reachable here).
    private static final String CHART_MODULE = "github.com/prometheus-community/helm-charts";
    private static final String CHART_VERSION = "8.4.1";
    private static final String COLLECTORS = "horizontalpodautoscalers,pods";

    private static final String NAMESPACE = "users-info-ksm-it";
    private static final String RELEASE = "users-info-ksm-it";
    // The chart's fullname: release name plus chart name.
    private static final String SERVICE = RELEASE + "-kube-state-metrics";
    private static final String CRASHER = "crasher";
    private static final Map<String, String> CRASHER_LABELS = Map.of("app", CRASHER);

    // Start, cache sync, then the chart's readinessProbe (initial delay 5 s, every 10 s).
    private static final Duration READY = Duration.ofMinutes(2);
    // The HPA controller syncs every 15 s.
    private static final Duration HPA_SYNC = Duration.ofMinutes(2);
    // The kubelet restarts a crashing container after 10 s, then 20 s, 40 s…
    private static final Duration RESTARTS = Duration.ofMinutes(3);

    private static final Map<String, String> TIMINGS = new LinkedHashMap<>();
    private static KubernetesClient client;
    private static LocalPortForward forward;
    private static String image;
    private static long started;

    @BeforeAll
    static void connect() throws Exception {
        started = System.nanoTime();
        image = System.getProperty(IMAGE_KEY);
        assertThat(image).as("system property %s (load-tests/pom.xml passes the images configuration)", IMAGE_KEY)
                .isNotBlank();
        client = KindCluster.connect();
        // A run that was killed before its clean-up left these behind.
        removeReleaseAndNamespace();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("app.kubernetes.io/part-of", "users-info-tests")
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata().build()).create();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (forward != null) {
            forward.close();
        }
        if (client != null) {
            timed("uninstall and namespace deletion", KubeStateMetricsIT::removeReleaseAndNamespace);
            client.close();
        }
        TIMINGS.put("whole test", seconds(System.nanoTime() - started));
        System.out.println("KubeStateMetricsIT: " + TIMINGS.entrySet().stream()
                .map(entry -> entry.getKey() + " " + entry.getValue()).collect(Collectors.joining(", ")));
    }

    @Test
    @Order(1)
    void chartRunsTheImageUntilReady() throws Exception {
        ImageRef ref = ImageRef.parse(image);
        timed("kind load", () -> loadIntoCluster(image));
        Path chart = timed("chart from the Go module proxy", KubeStateMetricsIT::chartDirectory);
        assertThat(Files.readString(chart.resolve("Chart.yaml")))
                .as("%s in %s (config/charts.versions)", chart.resolve("Chart.yaml"), CHART_MODULE)
                .contains("version: " + CHART_VERSION);

        Path values = Files.createTempFile("kube-state-metrics-it-", ".yaml");
        try {
            Files.writeString(values, """
                    # The collectors the alert rules and the dashboard read.
                    collectors: [%s]
                    image:
                      registry: %s
                      repository: %s
                      tag: %s
                      # kind loaded it into the node; there is no registry to pull it from.
                      pullPolicy: Never
                    """.formatted(COLLECTORS, ref.registry(), ref.repository(), ref.tag()));
            timed("helm install", () -> new Helm(chart).install()
                    .withName(RELEASE).withNamespace(NAMESPACE).withKubeConfig(KUBECONFIG.toAbsolutePath())
                    .withValuesFile(values)
                    .call());
        } finally {
            Files.delete(values);
        }
        // Helm's own wait would sit out its whole timeout on a pod that crashes at start; this stops at once.
        timed("kube-state-metrics ready", () -> {
            try {
                await("deployment " + SERVICE + " ready").atMost(READY).pollInterval(Duration.ofSeconds(1))
                        .failFast("kube-state-metrics exits instead of serving", KubeStateMetricsIT::exporterCrashes)
                        .until(() -> Readiness.getInstance().isReady(
                                client.apps().deployments().inNamespace(NAMESPACE).withName(SERVICE).get()));
            } catch (ConditionTimeoutException | TerminalFailureException e) {
                throw new AssertionError(image + " under chart " + CHART_VERSION + ": " + e.getMessage() + "\n" + diagnostics(), e);
            }
        });

        // The flags the chart passes are the ones the image must accept (the pod is Ready, so it did).
        Deployment deployment = client.apps().deployments().inNamespace(NAMESPACE).withName(SERVICE).get();
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs())
                .contains("--port=8080", "--resources=" + COLLECTORS);
        forward = client.services().inNamespace(NAMESPACE).withName(SERVICE).portForward(8080);
    }

    @Test
    @Order(2)
    void reportsTheKubeSystemPodsAsReady() {
        requireInstalled();
        double ready = timed("kube-system readiness in /metrics", () -> await("kube_pod_status_ready of kube-apiserver")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> scrape().stream()
                        .filter(s -> s.is("kube_pod_status_ready", Map.of("namespace", "kube-system", "condition", "true")))
                        .filter(s -> s.labels().get("pod").startsWith("kube-apiserver-"))
                        .mapToDouble(Sample::value).findFirst(), OptionalDouble::isPresent).getAsDouble());
        assertThat(ready).as("kube_pod_status_ready{namespace=\"kube-system\",pod=\"kube-apiserver-…\",condition=\"true\"}")
                .isEqualTo(1);
    }

    @Test
    @Order(3)
    void reportsTheAutoscalersBoundsAndStatus() {
        requireInstalled();
        client.apps().deployments().inNamespace(NAMESPACE).resource(crasher()).create();
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NAMESPACE)
                .resource(KindCluster.cpuAutoscaler(CRASHER, 2, 3)).create();
        Map<String, String> hpa = Map.of("namespace", NAMESPACE, "horizontalpodautoscaler", CRASHER);

        timed("HPA bounds in /metrics", () -> await("HPA " + CRASHER + " bounds in /metrics")
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .untilAsserted(() -> {
                    List<Sample> samples = scrape();
                    assertThat(value(samples, "kube_horizontalpodautoscaler_spec_min_replicas", hpa)).hasValue(2);
                    assertThat(value(samples, "kube_horizontalpodautoscaler_spec_max_replicas", hpa)).hasValue(3);
                }));
        // One replica is below the minimum of 2: the controller wants 2, then finds 2, metrics or not.
        timed("HPA status in /metrics", () -> await("HPA " + CRASHER + " desired and current replicas 2 in /metrics")
                .atMost(HPA_SYNC).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .untilAsserted(() -> {
                    List<Sample> samples = scrape();
                    assertThat(value(samples, "kube_horizontalpodautoscaler_status_desired_replicas", hpa)).hasValue(2);
                    assertThat(value(samples, "kube_horizontalpodautoscaler_status_current_replicas", hpa)).hasValue(2);
                }));
    }

    @Test
    @Order(4)
    void reportsACrashingPodsCreationAndRestarts() throws Exception {
        requireInstalled();
        Pod pod = client.pods().inNamespace(NAMESPACE).withLabels(CRASHER_LABELS).list().getItems().stream()
                .findFirst().orElseThrow(() -> new AssertionError("no " + CRASHER + " pod:\n" + diagnostics()));
        Map<String, String> container = Map.of("namespace", NAMESPACE, "pod", pod.getMetadata().getName(),
                "uid", pod.getMetadata().getUid(), "container", CRASHER);

        double first = await("restarts of " + pod.getMetadata().getName() + " in /metrics").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> value(scrape(), "kube_pod_container_status_restarts_total", container), OptionalDouble::isPresent)
                .getAsDouble();
        // The restarts alert counts every restart of a pod younger than its window from the pod's creation.
        assertThat(value(scrape(), "kube_pod_created", Map.of("namespace", NAMESPACE, "pod", pod.getMetadata().getName(),
                "uid", pod.getMetadata().getUid())))
                .as("kube_pod_created of %s", pod.getMetadata().getName())
                .hasValue(Instant.parse(pod.getMetadata().getCreationTimestamp()).getEpochSecond());
        // Between two runs the kubelet reports the container as terminated, or as waiting in CrashLoopBackOff
        // once it has tried to start it during the back-off: both series are watched in one loop, until the
        // count has risen and the reason has been seen.
        Map<String, String> backOff = new LinkedHashMap<>(container);
        backOff.put("reason", "CrashLoopBackOff");
        AtomicBoolean sawBackOff = new AtomicBoolean();
        AtomicReference<Double> restarts = new AtomicReference<>(first);
        timed("restarts rising and CrashLoopBackOff in /metrics", () -> await("restarts of " + pod.getMetadata().getName()
                        + " rising above " + first + " and CrashLoopBackOff reported")
                .atMost(RESTARTS).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> {
                    List<Sample> samples = scrape();
                    value(samples, "kube_pod_container_status_restarts_total", container).ifPresent(restarts::set);
                    if (value(samples, "kube_pod_container_status_waiting_reason", backOff).orElse(0) == 1) {
                        sawBackOff.set(true);
                    }
                    return sawBackOff.get() && restarts.get() > first;
                }));
        assertThat(restarts.get()).as("kube_pod_container_status_restarts_total%s", container).isGreaterThan(first);
        assertThat(sawBackOff).as("kube_pod_container_status_waiting_reason%s seen at 1", backOff).isTrue();
    }

    /** The chart directory inside the Go module of prometheus-community/helm-charts (downloaded once, cached by Go). */
    private static Path chartDirectory() {
        return KindCluster.pinnedModule(CHART_MODULE).resolve("charts/kube-state-metrics");
    }

    /** The configured image, present in Docker Engine (pulled if it is an upstream one), then in the kind node. */
    private static void loadIntoCluster(String image) {
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException absent) {
            try {
                docker.pullImageCmd(image).start().awaitCompletion(5, TimeUnit.MINUTES);
                docker.inspectImageCmd(image).exec();
            } catch (RuntimeException | InterruptedException e) {
                throw new AssertionError(IMAGE_KEY + "=" + image + " is not in Docker Engine and cannot be pulled ("
                        + e.getMessage() + "): run `make images` (or scripts/images.sh " + IMAGE_KEY + ")", e);
            }
        }
        KindCluster.loadImage(image);
    }

    /** The image itself with a resource it rejects: it exits at once, again and again. */
    private static Deployment crasher() {
        return new DeploymentBuilder()
                .withNewMetadata().withName(CRASHER).withLabels(CRASHER_LABELS).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().withMatchLabels(CRASHER_LABELS).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(CRASHER_LABELS).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65534L)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .addNewContainer().withName(CRASHER).withImage(image).withImagePullPolicy("Never")
                .withArgs("--resources=users-info-crash")
                .withNewResources()
                .addToRequests("cpu", new Quantity("10m")).addToRequests("memory", new Quantity("16Mi"))
                .addToLimits("cpu", new Quantity("100m")).addToLimits("memory", new Quantity("64Mi"))
                .endResources()
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().addToDrop("ALL").endCapabilities().endSecurityContext()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    private static void removeReleaseAndNamespace() {
        if (client.namespaces().withName(NAMESPACE).get() == null) {
            return;
        }
        // The release owns cluster-scoped objects (ClusterRole, ClusterRoleBinding) that the namespace does not.
        Helm.uninstall(RELEASE).withNamespace(NAMESPACE).withKubeConfig(KUBECONFIG.toAbsolutePath()).ignoreNotFound().call();
        client.namespaces().withName(NAMESPACE).delete();
        await("namespace " + NAMESPACE + " deleted").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> client.namespaces().withName(NAMESPACE).get() == null);
    }

    /** The later tests read what the first one installed: without it they fail at once, not after their waits. */
    private static void requireInstalled() {
        if (forward == null) {
            fail("kube-state-metrics is not installed: see the failure of chartRunsTheImageUntilReady");
        }
    }

    private static List<Sample> scrape() throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + forward.getLocalPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET /metrics of %s", SERVICE).isEqualTo(200);
            return Sample.parse(response.body());
        }
    }

    private static OptionalDouble value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(sample -> sample.is(name, labels)).mapToDouble(Sample::value).findFirst();
    }

    /** One line of the Prometheus text format. */
    record Sample(String name, Map<String, String> labels, double value) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static List<Sample> parse(String text) {
            List<Sample> samples = new ArrayList<>();
            for (String line : text.split("\n")) {
                Matcher matcher = LINE.matcher(line);
                if (line.startsWith("#") || !matcher.find()) {
                    continue;
                }
                Map<String, String> labels = new LinkedHashMap<>();
                Matcher label = LABEL.matcher(matcher.group(2) == null ? "" : matcher.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
                samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
            }
            return samples;
        }

        boolean is(String name, Map<String, String> wanted) {
            return this.name.equals(name) && labels.entrySet().containsAll(wanted.entrySet());
        }
    }

    /** An image name as the chart takes it: registry, repository and tag apart. */
    record ImageRef(String registry, String repository, String tag) {
        static ImageRef parse(String image) {
            int colon = image.lastIndexOf(':');
            if (colon < image.lastIndexOf('/') + 1 || image.contains("@")) {
                throw new AssertionError(IMAGE_KEY + "=" + image + " has no tag (or a digest): name a tagged image");
            }
            String name = image.substring(0, colon);
            String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : "";
            // Docker's rule: a first component with a dot or a port, or localhost, is a registry.
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                return new ImageRef(first, name.substring(first.length() + 1), image.substring(colon + 1));
            }
            return new ImageRef("docker.io", name.contains("/") ? name : "library/" + name, image.substring(colon + 1));
        }
    }

    /** The exporter's container has exited at least once: its log says why (diagnostics prints it). */
    private static boolean exporterCrashes() {
        return client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/instance", RELEASE).list().getItems()
                .stream().flatMap(pod -> pod.getStatus().getContainerStatuses().stream())
                .anyMatch(status -> status.getRestartCount() > 0);
    }

    /** What to look at when the release does not come up: pods, their states and the namespace's events. */
    private static String diagnostics() {
        String pods = client.pods().inNamespace(NAMESPACE).list().getItems().stream()
                .map(pod -> pod.getMetadata().getName() + " " + pod.getStatus().getPhase() + " "
                        + pod.getStatus().getContainerStatuses())
                .collect(Collectors.joining("\n  "));
        String events = client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .map(event -> event.getReason() + ": " + event.getMessage())
                .collect(Collectors.joining("\n  "));
        String log;
        try {
            log = client.apps().deployments().inNamespace(NAMESPACE).withName(SERVICE).getLog();
        } catch (KubernetesClientException e) {
            log = "(none: " + e.getMessage() + ")";
        }
        return "pods in " + NAMESPACE + ":\n  " + pods + "\nevents:\n  " + events + "\nlog of " + SERVICE + ":\n" + log
                + "\n(more: kubectl --kubeconfig .local/kubeconfig -n " + NAMESPACE + " logs deploy/" + SERVICE + ")";
    }

    private interface Step<T> {
        T run() throws Exception;
    }

    private static <T> T timed(String name, Step<T> step) {
        long start = System.nanoTime();
        try {
            return step.run();
        } catch (ConditionTimeoutException e) {
            // What the cluster says now is what the next run needs to know (pods, their restarts, events).
            throw new AssertionError(name + ": " + e.getMessage() + "\n" + diagnostics(), e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        } finally {
            TIMINGS.put(name, seconds(System.nanoTime() - start));
        }
    }

    private static void timed(String name, Runnable step) {
        timed(name, () -> {
            step.run();
            return null;
        });
    }

    private static String seconds(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }
}
