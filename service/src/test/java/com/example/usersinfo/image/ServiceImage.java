package com.example.usersinfo.image;

import com.example.usersinfo.DynamoDbLocal;
import com.github.dockerjava.api.exception.NotFoundException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * How the image tier and the AOT training run start the service's image: configured as Kubernetes runs it
 * (read-only root filesystem, a writable /tmp like an emptyDir), wired to DynamoDB Local in this JVM.
 */
final class ServiceImage {

    static final int PORT = 8080;

    /** The host as the container sees it: Docker maps this name to the host's address on the bridge. */
    static final String HOST_ALIAS = "host.docker.internal";

    private ServiceImage() {
    }

    /** The image under test, named by the build (service.image in config/images.defaults.properties). */
    static String imageUnderTest() {
        String image = System.getProperty("service.image");
        if (image == null || image.isBlank()) {
            throw new IllegalStateException("system property service.image is not set: run the image tier through Maven "
                    + "(scripts/mvn.sh -pl service verify), which sets it from config/images.defaults.properties");
        }
        return image;
    }

    /** Fails, never skips, when Docker Engine is missing: a skipped image tier would look like a green one. */
    static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException("Docker Engine is not reachable, and the image tier needs it: run "
                    + "scripts/docker-engine.sh (make test does), then check 'docker info'");
        }
    }

    static String requireImage(String image) {
        try {
            return DockerClientFactory.instance().client().inspectImageCmd(image).exec().getId();
        } catch (NotFoundException e) {
            throw new IllegalStateException("image " + image + " is not in the local Docker Engine; `mvn verify` builds "
                    + "it with jib:dockerBuild before the integration tests (see service/pom.xml)", e);
        }
    }

    /** The service, answering on {@link #PORT}, ready once /health/readiness (which includes the table) is UP. */
    static ServiceContainer service(String image, DynamoDbLocal dynamoDb) {
        int dynamoDbPort = URI.create(dynamoDb.endpoint()).getPort();
        return new ServiceContainer(image)
                .withEnv("USERS_INFO_DYNAMODB_ENDPOINT", "http://" + HOST_ALIAS + ":" + dynamoDbPort)
                .withEnv("USERS_INFO_DYNAMODB_CREATE_TABLE", "true")
                // DynamoDB Local accepts any credentials; these only satisfy the SDK's provider chain.
                .withEnv("AWS_ACCESS_KEY_ID", "local")
                .withEnv("AWS_SECRET_ACCESS_KEY", "local")
                .withExtraHost(HOST_ALIAS, "host-gateway")
                .withExposedPorts(PORT)
                .waitingFor(Wait.forHttp("/health/readiness").forPort(PORT).forStatusCode(200)
                        .withStartupTimeout(Duration.ofSeconds(90)));
    }

    static final class ServiceContainer extends GenericContainer<ServiceContainer> {

        private ServiceContainer(String image) {
            super(DockerImageName.parse(image));
        }

        /** As production runs it: nothing in the image is writable; /tmp is a small tmpfs (an emptyDir on Kubernetes). */
        ServiceContainer withReadOnlyRootFilesystem() {
            return withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=64m"))
                    .withCreateContainerCmdModifier(create -> create.getHostConfig().withReadonlyRootfs(true));
        }
    }
}
