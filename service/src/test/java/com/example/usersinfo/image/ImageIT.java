package com.example.usersinfo.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.usersinfo.DynamoDbLocal;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.TopContainerResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * The image tier: the image `mvn verify` just built, run as production runs it (read-only root filesystem,
 * tmpfs /tmp, non-root), against DynamoDB Local in this JVM. Containers are removed by try-with-resources and
 * {@link #stop()}; Ryuk, Testcontainers' reaper, removes them should this JVM die (docs/image.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String image = ServiceImage.imageUnderTest();
    private DynamoDbLocal dynamoDb;
    private GenericContainer<?> service;
    private URI base;

    @BeforeAll
    void start() {
        ServiceImage.requireDocker();
        ServiceImage.requireImage(image);
        dynamoDb = DynamoDbLocal.start();
        // AOTMode=on turns "cache unusable" from a warning into a failed start: the image's cache must load.
        service = ServiceImage.service(image, dynamoDb)
                .withReadOnlyRootFilesystem()
                .withEnv("JDK_JAVA_OPTIONS", "-XX:AOTMode=on");
        try {
            service.start();
        } catch (ContainerLaunchException e) {
            throw new AssertionError(image + " did not become ready; its log:\n" + logsOf(service), e);
        }
        base = URI.create("http://" + service.getHost() + ":" + service.getMappedPort(ServiceImage.PORT));
    }

    @AfterAll
    void stop() {
        if (service != null) {
            service.stop();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    @Test
    void readinessIsUpIncludingTheTable() throws Exception {
        HttpResponse<String> readiness = send("GET", "/health/readiness", null);

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"").contains("\"usersTable\"");
    }

    @Test
    void rootAnswersHelloJson() throws Exception {
        HttpResponse<String> hello = send("GET", "/", null);

        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(hello.body()).contains("\"message\":\"Hello, World!\"")
                .contains("\"instance\":\"" + service.getContainerInfo().getConfig().getHostName() + "\"");
    }

    @Test
    void createdUserCanBeReadBack() throws Exception {
        HttpResponse<String> created = send("POST", "/users",
                "{\"email\":\"grace@example.com\",\"name\":\"Grace Hopper\",\"password\":\"correct horse battery\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();

        HttpResponse<String> read = send("GET", location, null);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).contains("\"email\":\"grace@example.com\"").doesNotContain("correct horse battery");
        assertThat(send("POST", location + "/password/verify", "{\"password\":\"correct horse battery\"}").statusCode())
                .isEqualTo(204);
    }

    @Test
    void runsAsNonRootUser65532() {
        DockerClient docker = service.getDockerClient();
        InspectContainerResponse inspect = docker.inspectContainerCmd(service.getContainerId()).exec();
        // `docker top` runs ps on the host: the uid the JVM really has, not only what the image declares.
        TopContainerResponse top = docker.topContainerCmd(service.getContainerId()).withPsArgs("-o uid,pid,comm").exec();
        List<String> titles = Arrays.asList(top.getTitles());
        List<String> uids = Arrays.stream(top.getProcesses()).map(process -> process[titles.indexOf("UID")]).toList();

        assertThat(inspect.getConfig().getUser()).isEqualTo("65532:65532");
        assertThat(uids).isNotEmpty().containsOnly("65532");
    }

    @Test
    void rootFilesystemIsReadOnly() {
        InspectContainerResponse inspect = service.getDockerClient().inspectContainerCmd(service.getContainerId()).exec();

        assertThat(inspect.getHostConfig().getReadonlyRootfs()).isTrue();
        assertThat(inspect.getState().getRunning()).as("the service runs with nothing writable but a tmpfs /tmp").isTrue();
    }

    @Test
    void invalidSettingStopsStartupWithOneLineNamingIt() {
        try (GenericContainer<?> failing = ServiceImage.service(image, dynamoDb)
                .withReadOnlyRootFilesystem()
                .withEnv("USERS_INFO_DYNAMODB_CALL_TIMEOUT", "soon")
                .withExposedPorts()
                .withStartupCheckStrategy(new RunsToCompletion().withTimeout(Duration.ofSeconds(60)))
                .waitingFor(new NoWait())) {
            failing.start();
            Long exitCode = failing.getCurrentContainerInfo().getState().getExitCodeLong();
            String logs = failing.getLogs();

            assertThat(exitCode).as(logs).isEqualTo(1L);
            assertThat(logs.lines()).as(logs).anySatisfy(line -> assertThat(line)
                    .startsWith("users-info did not start: users-info.dynamodb.call-timeout=soon: must be ")
                    .contains("USERS_INFO_DYNAMODB_CALL_TIMEOUT"));
        }
    }

    private HttpResponse<String> send(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String logsOf(GenericContainer<?> container) {
        try {
            return container.getLogs();
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Started once it has stopped, whatever its exit code: the test then judges the exit code and the log. */
    private static final class RunsToCompletion extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
            return Boolean.TRUE.equals(state.getRunning()) ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }

    private static final class NoWait extends AbstractWaitStrategy {
        @Override
        protected void waitUntilReady() {
        }
    }
}
