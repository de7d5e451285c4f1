package com.example.usersinfo.environment.testcontainers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/**
 * Image names as configured (system properties that Failsafe sets from config/images.defaults.properties,
 * overridden by .local/images.properties that `make images` writes), made sure to be in Docker Engine: pulled
 * when absent (an upstream image on a connected machine), and when that fails too, the test fails with what
 * to run instead of a Testcontainers pull error.
 */
final class TestImages {

    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);

    private TestImages() {
    }

    static void requireDocker() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new AssertionError("Docker Engine is not reachable: run scripts/docker-engine.sh (make prereqs)");
        }
    }

    /** The image configured under {@code key}, present in Docker Engine. */
    static String require(String key) {
        String image = System.getProperty(key);
        if (image == null || image.isBlank()) {
            throw new AssertionError("system property " + key + " is not set: run the tests through Maven "
                    + "(scripts/mvn.sh -pl load-tests verify), which reads it from config/images.defaults.properties");
        }
        requireDocker();
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException absent) {
            try {
                if (!docker.pullImageCmd(image).start().awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no pull within " + PULL_TIMEOUT);
                }
            } catch (RuntimeException | InterruptedException e) {
                throw new AssertionError(key + "=" + image + " is not in Docker Engine and cannot be pulled (" + e.getMessage()
                        + "): run make images (or scripts/images.sh " + key + ")", e);
            }
        }
        return image;
    }
}
