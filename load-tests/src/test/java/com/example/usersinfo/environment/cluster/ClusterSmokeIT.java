package com.example.usersinfo.environment.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.readiness.Readiness;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The local kind cluster ({@code make cluster}) runs the platform's kind of workload end to end: a pod from
 * an image built on this machine becomes Ready, metrics-server reports its CPU, and a HorizontalPodAutoscaler
 * (autoscaling/v2, CPU utilization) on its Deployment reads a current value, which is what autoscaling
 * needs. The test creates its own namespace and image and removes both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterSmokeIT {
    private static final String APP = "cpu-burner";
    private static final Map<String, String> LABELS = Map.of("app", APP);
    private static final Duration POD_READY = Duration.ofMinutes(2);
    // metrics-server scrapes every 15 s; the kubelet needs a first sample of a new container before that.
    private static final Duration METRICS = Duration.ofMinutes(2);
    // The HPA controller syncs every 15 s and needs metrics of every pod of the target.
    private static final Duration HPA = Duration.ofMinutes(3);

    private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);
    private static final String NAMESPACE = "cluster-smoke-" + SUFFIX;
    private static final String IMAGE = "users-info/cluster-smoke:" + SUFFIX;

    private static KubernetesClient client;
    private static boolean imageBuilt;

    @BeforeAll
    static void connect() throws IOException {
        client = KindCluster.connect();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("app.kubernetes.io/part-of", "users-info-tests").endMetadata().build()).create();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (client != null) {
            client.namespaces().withName(NAMESPACE).delete();
            client.close();
        }
        if (imageBuilt) {
            // The copy kind loaded into the node (if it got that far), then the one in Docker Engine.
            new ProcessBuilder("docker", "exec", KindCluster.NODE, "ctr", "-n", "k8s.io", "images", "rm", "docker.io/" + IMAGE)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                    .waitFor(30, TimeUnit.SECONDS);
            DockerClientFactory.instance().client().removeImageCmd(IMAGE).withForce(true).exec();
        }
    }

    @Test
    @Order(1)
    void podFromLocallyBuiltImageBecomesReady() throws Exception {
        buildAndLoadImage();
        client.apps().deployments().inNamespace(NAMESPACE).resource(deployment()).create();

        await("pod of " + IMAGE + " Ready").atMost(POD_READY).pollInterval(Duration.ofSeconds(2))
                .failFast("the pod cannot start", () -> failureOf(pod().orElse(null)))
                .untilAsserted(() -> assertThat(pod()).as(this::diagnostics).hasValueSatisfying(
                        pod -> assertThat(Readiness.isPodReady(pod)).as(this::diagnostics).isTrue()));
    }

    @Test
    @Order(2)
    void metricsServerReportsThePodsCpu() {
        String name = pod().orElseThrow(() -> new AssertionError("no pod: " + diagnostics())).getMetadata().getName();

        PodMetrics metrics = await("metrics of pod " + name + " from metrics-server").atMost(METRICS)
                .pollInterval(Duration.ofSeconds(3)).ignoreExceptions()
                .until(() -> client.top().pods().metrics(NAMESPACE, name), Objects::nonNull);

        assertThat(metrics.getContainers()).singleElement().satisfies(container -> {
            BigDecimal cores = container.getUsage().get("cpu").getNumericalAmount();
            // The burner uses about 50 millicores; anything above nothing proves a real sample.
            assertThat(cores).as("CPU of %s in cores", name).isPositive();
        });
    }

    @Test
    @Order(3)
    void horizontalPodAutoscalerReadsCpuUtilization() {
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NAMESPACE)
                .resource(KindCluster.cpuAutoscaler(APP, 1, 2)).create();

        Integer utilization = await("current CPU utilization of HPA " + APP).atMost(HPA).pollInterval(Duration.ofSeconds(3))
                .until(this::currentUtilization, Optional::isPresent).orElseThrow();

        // Percent of the 100m request: the burner's 50m is about 50; scaling itself is the load tests' subject.
        assertThat(utilization).as("averageUtilization (%% of the CPU request)").isPositive();
    }

    private Optional<Integer> currentUtilization() {
        HorizontalPodAutoscaler hpa = client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NAMESPACE)
                .withName(APP).get();
        List<MetricStatus> metrics = hpa.getStatus() == null ? null : hpa.getStatus().getCurrentMetrics();
        return metrics == null ? Optional.empty() : metrics.stream()
                .filter(metric -> metric.getResource() != null && "cpu".equals(metric.getResource().getName()))
                .map(metric -> metric.getResource().getCurrent().getAverageUtilization())
                .filter(Objects::nonNull)
                .findFirst();
    }

    /** The service's JRE base image (images configuration, key service.base.image) plus {@link CpuBurner}. */
    private static void buildAndLoadImage() throws Exception {
        String base = System.getProperty("service.base.image");
        assertThat(base).as("system property service.base.image (load-tests/pom.xml passes the images configuration)")
                .isNotBlank();
        Path classes = Path.of(CpuBurner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String classFile = CpuBurner.class.getName().replace('.', '/') + ".class";
        try {
            new ImageFromDockerfile(IMAGE, false)
                    .withFileFromPath("app/" + classFile, classes.resolve(classFile))
                    .withDockerfileFromBuilder(dockerfile -> dockerfile
                            .from(base)
                            .copy("app", "/app")
                            .user("65532:65532")
                            .entryPoint("java", "-XX:-UsePerfData", "-XX:+UseSerialGC", "-Xmx16m", "-cp", "/app",
                                    CpuBurner.class.getName())
                            .build())
                    .get(3, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new AssertionError("cannot build " + IMAGE + " from " + base
                    + ": run `make images` (it builds or pulls the service's base image)", e);
        }
        imageBuilt = true;
        KindCluster.loadImage(IMAGE);
    }

    private static Deployment deployment() {
        return new DeploymentBuilder()
                .withNewMetadata().withName(APP).withLabels(LABELS).endMetadata()
                .withNewSpec().withReplicas(1)
                .withNewSelector().withMatchLabels(LABELS).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(LABELS).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName(APP).withImage(IMAGE)
                // The image exists only where kind loaded it.
                .withImagePullPolicy("Never")
                .withArgs("50")
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("64Mi"))
                .addToLimits("cpu", new Quantity("200m")).addToLimits("memory", new Quantity("128Mi"))
                .endResources()
                .withNewSecurityContext().withRunAsNonRoot(true).withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true).withNewCapabilities().addToDrop("ALL").endCapabilities()
                .endSecurityContext()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    private Optional<Pod> pod() {
        return client.pods().inNamespace(NAMESPACE).withLabels(LABELS).list().getItems().stream().findFirst();
    }

    /** A container that cannot start from its image will never become Ready: stop waiting at once. */
    private static boolean failureOf(Pod pod) {
        return pod != null && pod.getStatus() != null && pod.getStatus().getContainerStatuses() != null
                && pod.getStatus().getContainerStatuses().stream()
                        .map(status -> status.getState().getWaiting())
                        .filter(Objects::nonNull)
                        .anyMatch(waiting -> List.of("ErrImageNeverPull", "CrashLoopBackOff", "CreateContainerError",
                                "InvalidImageName").contains(waiting.getReason()));
    }

    /** What to look at when the pod does not come up: its state and the namespace's events. */
    private String diagnostics() {
        String pods = client.pods().inNamespace(NAMESPACE).list().getItems().stream()
                .map(pod -> pod.getMetadata().getName() + " " + pod.getStatus().getPhase() + " "
                        + pod.getStatus().getContainerStatuses())
                .collect(Collectors.joining("\n  "));
        String events = client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .map(event -> event.getReason() + ": " + event.getMessage())
                .collect(Collectors.joining("\n  "));
        return "pods in " + NAMESPACE + ":\n  " + pods + "\nevents:\n  " + events
                + "\n(more: kubectl --kubeconfig .local/kubeconfig -n " + NAMESPACE + " describe pods)";
    }
}
