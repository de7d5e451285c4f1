package com.example.usersinfo.environment.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

/**
 * The project's Prometheus and Alertmanager images ({@code prometheus.image}, {@code alertmanager.image}) as a
 * pair, each started with its image's default command and a configuration mounted where upstream's images
 * read it: Prometheus scrapes itself, an alert rule on that fires, and the alert reaches the Alertmanager
 * container on the same network, read back through Alertmanager's API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusAlertmanagerIT {

    private static final String RESOURCES = "com/example/usersinfo/environment/testcontainers/";
    private static final int PROMETHEUS_PORT = 9090;
    private static final int ALERTMANAGER_PORT = 9093;
    private static final String ALERT = "PrometheusScrapesItself";

    private Network network;
    private GenericContainer<?> alertmanager;
    private GenericContainer<?> prometheus;

    @BeforeAll
    void start() {
        String alertmanagerImage = TestImages.require("alertmanager.image");
        String prometheusImage = TestImages.require("prometheus.image");
        network = Network.newNetwork();
        alertmanager = new GenericContainer<>(DockerImageName.parse(alertmanagerImage))
                .withNetwork(network)
                .withNetworkAliases("alertmanager")
                .withCopyFileToContainer(MountableFile.forClasspathResource(RESOURCES + "alertmanager.yml", 0644),
                        "/etc/alertmanager/alertmanager.yml")
                .withExposedPorts(ALERTMANAGER_PORT)
                .waitingFor(Wait.forHttp("/-/ready").forPort(ALERTMANAGER_PORT));
        prometheus = new GenericContainer<>(DockerImageName.parse(prometheusImage))
                .withNetwork(network)
                .withCopyFileToContainer(MountableFile.forClasspathResource(RESOURCES + "prometheus.yml", 0644),
                        "/etc/prometheus/prometheus.yml")
                .withCopyFileToContainer(MountableFile.forClasspathResource(RESOURCES + "rules.yml", 0644),
                        "/etc/prometheus/rules.yml")
                .withExposedPorts(PROMETHEUS_PORT)
                .waitingFor(Wait.forHttp("/-/ready").forPort(PROMETHEUS_PORT));
        alertmanager.start();
        prometheus.start();
    }

    @AfterAll
    void stop() {
        if (prometheus != null) {
            prometheus.stop();
        }
        if (alertmanager != null) {
            alertmanager.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void alertFiredByPrometheusReachesAlertmanager() throws Exception {
        String filter = URLEncoder.encode("alertname=\"" + ALERT + "\"", StandardCharsets.UTF_8);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode alerts = Http.json(Http.uri(alertmanager, ALERTMANAGER_PORT, "/api/v2/alerts?filter=" + filter));
            assertThat(alerts).as("alerts in Alertmanager").hasSize(1);
            assertThat(alerts.get(0).at("/labels/job").asText()).isEqualTo("prometheus");
            assertThat(alerts.get(0).at("/labels/severity").asText()).isEqualTo("info");
            assertThat(alerts.get(0).at("/status/state").asText()).isEqualTo("active");
        });

        JsonNode firing = Http.json(Http.uri(prometheus, PROMETHEUS_PORT, "/api/v1/alerts")).at("/data/alerts");
        assertThat(firing).anySatisfy(alert -> {
            assertThat(alert.at("/labels/alertname").asText()).isEqualTo(ALERT);
            assertThat(alert.at("/state").asText()).isEqualTo("firing");
        });
        JsonNode alertmanagers = Http.json(Http.uri(prometheus, PROMETHEUS_PORT, "/api/v1/alertmanagers"));
        assertThat(alertmanagers.at("/data/activeAlertmanagers/0/url").asText())
                .isEqualTo("http://alertmanager:9093/api/v2/alerts");
    }

    @Test
    void prometheusScrapesItself() {
        String query = URLEncoder.encode("up{job=\"prometheus\"}", StandardCharsets.UTF_8);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode result = Http.json(Http.uri(prometheus, PROMETHEUS_PORT, "/api/v1/query?query=" + query))
                    .at("/data/result");
            assertThat(result).hasSize(1);
            assertThat(result.get(0).at("/value/1").asText()).isEqualTo("1");
        });
    }

    @Test
    void versionsAreThoseOfPromtoolAndAmtool() throws Exception {
        assertThat(Http.json(Http.uri(prometheus, PROMETHEUS_PORT, "/api/v1/status/buildinfo")).at("/data/version").asText())
                .startsWith("2.42.0");
        assertThat(Http.json(Http.uri(alertmanager, ALERTMANAGER_PORT, "/api/v2/status")).at("/versionInfo/version").asText())
                .startsWith("0.25.0");
    }

    @Test
    void bothRunAsNobodyWithUpstreamsDataDirectories() {
        for (GenericContainer<?> container : new GenericContainer<?>[] {prometheus, alertmanager}) {
            var inspect = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec();
            assertThat(inspect.getConfig().getUser()).as(inspect.getName()).isEqualTo("65534:65534");
        }
        assertThat(prometheus.getContainerInfo().getConfig().getWorkingDir()).isEqualTo("/prometheus");
        assertThat(alertmanager.getContainerInfo().getConfig().getWorkingDir()).isEqualTo("/alertmanager");
    }

    @Test
    void prometheusDiscoversKubernetesTargets() throws Exception {
        // What Debian's build of Prometheus lacks, and what the cluster's monitoring add-on needs: its promtool
        // and prometheus are built from the same sources.
        prometheus.copyFileToContainer(Transferable.of("""
                scrape_configs:
                  - job_name: pods
                    kubernetes_sd_configs:
                      - role: pod
                """), "/tmp/kubernetes.yml");

        var check = prometheus.execInContainer("/bin/promtool", "check", "config", "/tmp/kubernetes.yml");

        assertThat(check.getExitCode()).as(check.getStdout() + check.getStderr()).isZero();
        assertThat(Http.get(Http.uri(prometheus, PROMETHEUS_PORT, "/consoles/prometheus.html")).statusCode())
                .as("a console template of upstream's").isEqualTo(200);
    }
}
