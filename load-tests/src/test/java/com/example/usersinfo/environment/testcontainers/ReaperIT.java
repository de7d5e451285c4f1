package com.example.usersinfo.environment.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/**
 * Ryuk is on, and a killed test run leaves nothing behind: a child JVM on this test's class path starts a
 * container, a network and a volume through Testcontainers ({@link AbandonedSession}) and is killed with
 * SIGKILL, so no shutdown hook runs. The reaper it started ({@code testcontainers.ryuk.image}) must then
 * remove everything labelled with that session, the container's anonymous volume included, within
 * {@link #BOUND}; the reaper then exits and Docker removes it. The measured time goes to
 * target/reaper-it/removal-time.txt (about RYUK_RECONNECTION_TIMEOUT, 10 s, plus the removals).
 */
class ReaperIT {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final String SESSION_LABEL = DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL;
    private static final Path WORK = Path.of("target", "reaper-it");

    @Test
    void aKilledTestJvmLeavesNoContainerNetworkOrVolume() throws Exception {
        String reaperImage = TestImages.require("testcontainers.ryuk.image");
        String longRunning = TestImages.require("alertmanager.image");
        DockerClient docker = DockerClientFactory.instance().client();
        Files.createDirectories(WORK);
        Path idsFile = WORK.resolve("session.properties");
        Files.deleteIfExists(idsFile);
        Path log = WORK.resolve("abandoned-session.log");

        Process child = startChild(longRunning, idsFile, log);
        String session = null;
        try {
            Properties ids = awaitIds(child, idsFile, log);
            session = ids.getProperty("session");
            InspectContainerResponse container = docker.inspectContainerCmd(ids.getProperty("container")).exec();
            List<String> anonymousVolumes = container.getMounts().stream()
                    .filter(mount -> mount.getName() != null)
                    .map(mount -> mount.getName())
                    .toList();
            InspectContainerResponse reaper = docker.inspectContainerCmd("testcontainers-ryuk-" + session).exec();
            assertThat(container.getState().getRunning()).as("the abandoned container runs").isTrue();
            assertThat(reaper.getState().getRunning()).as("the child's reaper runs").isTrue();
            assertThat(reaper.getConfig().getImage()).as("the reaper's image").isEqualTo(reaperImage);
            assertThat(leftovers(docker, session)).hasSize(3);

            long killed = System.nanoTime();
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("the child JVM died").isTrue();
            assertThat(child.exitValue()).as("exit status of a JVM killed by SIGKILL").isEqualTo(128 + 9);

            String finalSession = session;
            await().atMost(BOUND).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(leftovers(docker, finalSession)).isEmpty());
            double seconds = (System.nanoTime() - killed) / 1e9;
            await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    anonymousVolumes.stream().filter(name -> exists(() -> docker.inspectVolumeCmd(name).exec())))
                    .as("anonymous volumes of the removed container").isEmpty());
            await().atMost(BOUND).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(
                    exists(() -> docker.inspectContainerCmd(reaper.getId()).exec()))
                    .as("the reaper exited and was removed").isFalse());
            String figure = String.format("%.1f s from SIGKILL of the test JVM until no container, network or volume "
                    + "of its session was left (bound %d s)%n", seconds, BOUND.toSeconds());
            Files.writeString(WORK.resolve("removal-time.txt"), figure);
            System.out.print("ReaperIT: " + figure);
        } finally {
            child.destroyForcibly();
            if (session != null) {
                removeLeftovers(docker, session);
            }
        }
    }

    private static Process startChild(String image, Path idsFile, Path log) throws IOException {
        // Failsafe may launch this JVM through a manifest-only jar; surefire.test.class.path is the real one.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path logback = Path.of("src", "test", "resources", "com", "example", "usersinfo", "environment",
                "testcontainers", "child-logback.xml");
        // The environment is this JVM's: TESTCONTAINERS_RYUK_CONTAINER_IMAGE and the host override included.
        return new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dlogback.configurationFile=" + logback.toAbsolutePath(),
                "-cp", classPath, AbandonedSession.class.getName(), image, idsFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    private static Properties awaitIds(Process child, Path idsFile, Path log) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!child.isAlive()) {
                throw new AssertionError("the child JVM exited (" + child.exitValue() + ") before starting its "
                        + "container; its log, " + log.toAbsolutePath() + ":\n" + Files.readString(log));
            }
            return Files.exists(idsFile);
        });
        Properties ids = new Properties();
        try (Reader in = Files.newBufferedReader(idsFile)) {
            ids.load(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + idsFile, e);
        }
        return ids;
    }

    /** Every container, network and volume carrying the session's label, as "kind id". */
    private static List<String> leftovers(DockerClient docker, String session) {
        List<String> found = new ArrayList<>();
        for (Container container : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(SESSION_LABEL, session)).exec()) {
            found.add("container " + container.getId());
        }
        docker.listNetworksCmd().withFilter("label", List.of(SESSION_LABEL + "=" + session)).exec()
                .forEach(network -> found.add("network " + network.getId()));
        var volumes = docker.listVolumesCmd().withFilter("label", List.of(SESSION_LABEL + "=" + session)).exec()
                .getVolumes();
        if (volumes != null) {
            volumes.forEach(volume -> found.add("volume " + volume.getName()));
        }
        return found;
    }

    /** After a failure, so that a failing run does not itself leave resources behind. */
    private static void removeLeftovers(DockerClient docker, String session) {
        for (String leftover : leftovers(docker, session)) {
            String[] kindAndId = leftover.split(" ");
            try {
                switch (kindAndId[0]) {
                    case "container" -> docker.removeContainerCmd(kindAndId[1]).withForce(true).withRemoveVolumes(true).exec();
                    case "network" -> docker.removeNetworkCmd(kindAndId[1]).exec();
                    default -> docker.removeVolumeCmd(kindAndId[1]).exec();
                }
            } catch (RuntimeException e) {
                System.err.println("ReaperIT: could not remove " + leftover + ": " + e.getMessage());
            }
        }
    }

    private static boolean exists(Runnable inspect) {
        try {
            inspect.run();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
