package com.example.usersinfo.environment.testcontainers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The test JVM {@link ReaperIT} kills: it starts, through Testcontainers (and so its reaper), a container on
 * a network of its own and a volume labelled as Testcontainers labels its resources, writes their ids to the
 * file named by its second argument, and blocks until it is killed. Nothing here stops or removes anything.
 * Arguments: IMAGE (any long-running image) IDS-FILE.
 */
public final class AbandonedSession {

    private AbandonedSession() {
    }

    public static void main(String[] args) throws Exception {
        String image = args[0];
        Path idsFile = Path.of(args[1]);

        Network network = Network.newNetwork();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .waitingFor(Wait.forLogMessage(".*Listening on.*", 1));
        container.start();
        Map<String, String> labels = new HashMap<>(DockerClientFactory.DEFAULT_LABELS);
        labels.put(DockerClientFactory.TESTCONTAINERS_SESSION_ID_LABEL, DockerClientFactory.SESSION_ID);
        String volume = DockerClientFactory.instance().client().createVolumeCmd()
                .withName("users-info-abandoned-" + DockerClientFactory.SESSION_ID)
                .withLabels(labels)
                .exec()
                .getName();

        Properties ids = new Properties();
        ids.setProperty("session", DockerClientFactory.SESSION_ID);
        ids.setProperty("container", container.getContainerId());
        ids.setProperty("network", network.getId());
        ids.setProperty("volume", volume);
        Path partial = idsFile.resolveSibling(idsFile.getFileName() + ".partial");
        try (var out = Files.newBufferedWriter(partial)) {
            ids.store(out, "resources of an abandoned Testcontainers session");
        }
        // Atomic, so the parent never reads a half-written file.
        Files.move(partial, idsFile, StandardCopyOption.ATOMIC_MOVE);

        Thread.currentThread().join();
    }
}
