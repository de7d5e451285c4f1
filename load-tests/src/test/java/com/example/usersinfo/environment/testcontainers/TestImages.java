package com.example.usersinfo.environment.testcontainers;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;

/**
 * Image names as configured (system properties that Failsafe sets from config/images.defaults.properties,
 * overridden by .local/images.properties that `make images` writes), checked to be in Docker Engine, so a
 * missing prerequisite fails with what to run instead of a pull timeout.
 */
final class TestImages {

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
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            throw new AssertionError(key + "=" + image + " is not in Docker Engine: run make images "
                    + "(or scripts/images.sh " + key + ")", e);
        }
        return image;
    }
}
