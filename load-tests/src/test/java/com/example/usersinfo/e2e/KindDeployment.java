package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service as the kind cluster runs it (make cluster, make emulators): deployed by scripts/deploy-kind.sh
 * (the chart with ci/kind-values.yaml) and reached on its NodePort, with the cluster's Prometheus beside it.
 * Deploying again is cheap: helm changes nothing when image and values are unchanged.
 */
final class KindDeployment {

    static final Path ROOT = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    static final String NAMESPACE = "users-info";
    static final URI SERVICE = URI.create("http://127.0.0.1:30080");
    static final URI PROMETHEUS = URI.create("http://127.0.0.1:30090");
    static final URI ALERTMANAGER = URI.create("http://127.0.0.1:30093");
    /** The chart's release name: its Deployment, HPA and Service are called so. */
    static final String RELEASE = "users-info";
    static final Path KUBECONFIG = ROOT.resolve(".local/kubeconfig");
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KubernetesClient kubernetes;

    private KindDeployment() {
    }

    /** Runs scripts/deploy-kind.sh with the image Maven built; its output goes to the test's log. */
    static void deploy() throws IOException, InterruptedException {
        String image = System.getProperty("service.image");
        if (image == null || image.isBlank()) {
            fail("system property service.image is not set: run through Maven (scripts/mvn.sh verify)");
        }
        Process deploy = new ProcessBuilder(ROOT.resolve("scripts/deploy-kind.sh").toString(), image)
                .directory(ROOT.toFile()).inheritIO().start();
        if (!deploy.waitFor(8, TimeUnit.MINUTES)) {
            deploy.destroyForcibly();
            fail("scripts/deploy-kind.sh %s did not finish within 8 minutes", image);
        }
        if (deploy.exitValue() != 0) {
            fail("scripts/deploy-kind.sh %s failed (exit %d): its last lines above say what to check", image,
                    deploy.exitValue());
        }
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An instant query; the result array (empty when nothing matches). Fails on a query error. */
    static JsonNode query(String promql) throws IOException, InterruptedException {
        URI uri = PROMETHEUS.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).GET());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus refused " + promql + ": " + response.body());
        }
        return body.path("data").path("result");
    }

    static JsonNode prometheusApi(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(PROMETHEUS.resolve(path)).GET());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + PROMETHEUS.resolve(path) + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body()).path("data");
    }

    /** Alertmanager's API v2, e.g. {@code /api/v2/status} or {@code /api/v2/alerts}. */
    static JsonNode alertmanagerApi(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(ALERTMANAGER.resolve(path)).GET());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + ALERTMANAGER.resolve(path) + " answered " + response.statusCode()
                    + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** A client of the kind cluster (.local/kubeconfig, written by make cluster), shared by the e2e tests. */
    static synchronized KubernetesClient kubernetes() throws IOException {
        if (kubernetes == null) {
            if (!Files.isRegularFile(KUBECONFIG)) {
                fail("no kubeconfig at %s: run `make cluster`", KUBECONFIG);
            }
            Config config = Config.fromKubeconfig(Files.readString(KUBECONFIG));
            config.setConnectionTimeout(5_000);
            config.setRequestTimeout(10_000);
            kubernetes = new KubernetesClientBuilder().withConfig(config).build();
        }
        return kubernetes;
    }
}
