package com.example.usersinfo.environment.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;

/**
 * Testcontainers' LocalStack module runs the configured LocalStack image ({@code localstack.image}: upstream's
 * on a connected machine, the one `make images` builds here) and the Java SDK talks to it. The module
 * replaces the image's entrypoint with its own start script, which runs /usr/local/bin/docker-entrypoint.sh
 * and waits for "Ready." on stdout: the contract the local image keeps.
 */
class LocalStackContainerIT {

  private static final String IMAGE_KEY = "localstack.image";

  @Test
  void theModuleRunsTheConfiguredImageAndCloudWatchAnswers() {
    String image = System.getProperty(IMAGE_KEY);
    assertThat(image)
        .as("system property %s (Failsafe sets it from config/images.defaults.properties and .local/images.properties); "
            + "run the test through Maven: scripts/mvn.sh -pl load-tests verify", IMAGE_KEY)
        .isNotBlank();
    assertThat(DockerClientFactory.instance().isDockerAvailable())
        .as("Docker Engine is not reachable: run scripts/docker-engine.sh (make prereqs)")
        .isTrue();
    assertThat(imagePresent(image))
        .as("%s=%s is not in Docker Engine: run make images (or scripts/images.sh %s)", IMAGE_KEY, image, IMAGE_KEY)
        .isTrue();

    // Ryuk is off in this project for now, so the container is stopped here, whatever happens.
    try (var localstack = new LocalStackContainer(
            DockerImageName.parse(image).asCompatibleSubstituteFor("localstack/localstack"))
        .withLabel("users-info.role", "test")
        .withStartupTimeout(Duration.ofMinutes(2))) {
      // The module mounts the Docker socket for Lambda and ECS task containers, which nothing here asks
      // LocalStack for. Any mount makes Testcontainers first check that mounting works, with a container of
      // alpine:3.17, which no registry serves here (3.5 minutes of pull retries before it gives up).
      localstack.setBinds(new ArrayList<>());
      localstack.start();

      try (var cloudWatch = CloudWatchClient.builder()
          .endpointOverride(localstack.getEndpoint())
          .region(Region.of(localstack.getRegion()))
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
          .build()) {
        String namespace = "UsersInfo/Smoke/" + UUID.randomUUID();
        cloudWatch.putMetricData(request -> request.namespace(namespace).metricData(datum -> datum
            .metricName("Requests")
            .dimensions(Dimension.builder().name("Service").value("users-info").build())
            .value(3.0)
            .unit(StandardUnit.COUNT)
            .timestamp(Instant.now())));

        var metrics = cloudWatch.listMetrics(request -> request.namespace(namespace)).metrics();

        assertThat(metrics).singleElement().satisfies(metric -> {
          assertThat(metric.metricName()).isEqualTo("Requests");
          assertThat(metric.dimensions()).containsExactly(Dimension.builder().name("Service").value("users-info").build());
        });
      }
    }
  }

  private static boolean imagePresent(String image) {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      return true;
    } catch (com.github.dockerjava.api.exception.NotFoundException absent) {
      return false;
    }
  }
}
