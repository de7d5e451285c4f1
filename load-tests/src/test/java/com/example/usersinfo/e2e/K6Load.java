package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.ToStringConsumer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.k6.K6Container;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A k6 script of {@code load-tests/src/test/k6} run by Testcontainers' K6Container against the service on the
 * kind cluster, to completion ({@link #run()}) or in the background ({@link #start()}, then {@link #await()}),
 * always within a wall-clock limit; the result is k6's summary ({@code --summary-export}) as a {@link K6Summary}.
 *
 * <p>Where k6 runs: in a container on the kind node's own Docker network ({@code kind}), sending to the node's
 * NodePort by the node's name, {@code http://users-info-control-plane:30080}: the same NodePort that
 * 127.0.0.1:30080 forwards to, without the detour through the host's loopback port mapping (docker-proxy, a
 * user-space copy of every byte, which would take CPU from the cluster on a 2-core machine). It works the same
 * where the Docker host is a VM (Docker Desktop), which host networking does not, and the k6 container sees
 * only the kind network, not every port on the host's loopback. {@link #baseUrl(String)} points it elsewhere.
 *
 * <p>A run whose thresholds are crossed (exit 99) still returns its summary: the test decides, with the
 * figures in hand. A run that writes no summary (a script error, a failed setup) fails with k6's output.
 */
final class K6Load implements AutoCloseable {

    static final Path SCRIPTS = KindDeployment.ROOT.resolve("load-tests/src/test/k6");
    /** The kind node's container, on whose network k6 runs. */
    static final String NODE = "users-info-control-plane";
    static final String SERVICE_FROM_KIND_NETWORK = "http://" + NODE + ":30080";
    private static final String HOME = "/home/k6/";
    private static final String SUMMARY = HOME + "summary.json";

    private final String script;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final ToStringConsumer output = new ToStringConsumer();
    // Each line k6 printed, with when it arrived: scripts announce their phases (console.log) this way.
    private final List<Map.Entry<Instant, String>> lines = new CopyOnWriteArrayList<>();
    private String baseUrl = SERVICE_FROM_KIND_NETWORK;
    private Duration limit = Duration.ofMinutes(5);
    private K6Container container;
    private Instant started;

    private K6Load(String script) {
        this.script = script;
    }

    /** The script NAME (e.g. {@code smoke.js}) of load-tests/src/test/k6; fails listing them when there is none. */
    static K6Load script(String name) {
        if (!Files.isRegularFile(SCRIPTS.resolve(name))) {
            try (Stream<Path> files = Files.list(SCRIPTS)) {
                fail("no k6 script %s in %s; there are %s", name, SCRIPTS,
                        files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".js")).sorted().toList());
            } catch (IOException e) {
                fail("no k6 scripts directory %s (%s)", SCRIPTS, e.getMessage());
            }
        }
        return new K6Load(name);
    }

    /** An environment variable of the script (__ENV), e.g. RATE or DURATION: see the script's header. */
    K6Load env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** The service's URL as k6 reaches it (BASE_URL); the kind NodePort by default. */
    K6Load baseUrl(String url) {
        this.baseUrl = url;
        return this;
    }

    /** Longest the run may take from start to exit (default 5 minutes): k6 is stopped and the test fails after. */
    K6Load limit(Duration limit) {
        this.limit = limit;
        return this;
    }

    /** Starts k6 and returns as soon as it runs; k6's output goes to the test's log, prefixed with the script. */
    K6Load start() {
        if (container != null) {
            throw new IllegalStateException(script + " was already started");
        }
        DockerImageName image = DockerImageName.parse(requiredImage()).asCompatibleSubstituteFor("grafana/k6");
        container = new K6Container(image)
                .withNetworkMode(kindNetwork())
                .withTestScript(MountableFile.forHostPath(SCRIPTS.resolve(script)))
                // The scripts' shared module, imported as ./lib/common.js.
                .withCopyFileToContainer(MountableFile.forHostPath(SCRIPTS.resolve("lib")), HOME + "lib")
                .withScriptVar("BASE_URL", baseUrl)
                .withCmdOptions("--no-usage-report", "--quiet", "--summary-export=" + SUMMARY,
                        "--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99),count")
                .withLogConsumer(output.andThen(this::log))
                // Started is enough: k6 may finish (or fail) at once, and a failed start would remove the
                // container with its summary.
                .withStartupCheckStrategy(new Started());
        env.forEach(container::withScriptVar);
        started = Instant.now();
        container.start();
        return this;
    }

    /** When k6 was started (null before {@link #start()}). */
    Instant startedAt() {
        return started;
    }

    boolean running() {
        return container != null && Boolean.TRUE.equals(state().getRunning());
    }

    /** Waits for k6 to exit (within the limit, counted from the start) and reads its summary. */
    K6Summary await() {
        if (container == null) {
            throw new IllegalStateException(script + " was not started");
        }
        Duration left = limit.minus(Duration.between(started, Instant.now()));
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.waitContainerCmd(container.getContainerId()).start()
                    .awaitStatusCode(Math.max(1, left.toSeconds()), TimeUnit.SECONDS);
        } catch (RuntimeException timeout) {
            container.stop();
            fail("k6 %s did not finish within %s (%s); its output:%n%s", script, limit, timeout.getMessage(),
                    output.toUtf8String());
        }
        Duration elapsed = Duration.between(started, Instant.now());
        int exitCode = state().getExitCodeLong().intValue();
        try {
            return container.copyFileFromContainer(SUMMARY,
                    in -> new K6Summary(script, exitCode, elapsed, KindDeployment.JSON.readTree(in)));
        } catch (NotFoundException | IllegalStateException e) {
            throw new AssertionError("k6 " + script + " exited with " + exitCode + " and wrote no summary ("
                    + e.getMessage() + "); its output:\n" + output.toUtf8String(), e);
        }
    }

    /**
     * When k6 first printed a line containing FRAGMENT (e.g. a script's {@code console.log} at the end of its
     * setup), waiting up to TIMEOUT for it; fails with k6's output when it does not come or k6 exits first.
     */
    Instant awaitOutput(String fragment, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            for (Map.Entry<Instant, String> line : lines) {
                if (line.getValue().contains(fragment)) {
                    return line.getKey();
                }
            }
            if (!running() || Instant.now().isAfter(deadline)) {
                fail("k6 %s printed no line with \"%s\" %s; its output:%n%s", script, fragment,
                        running() ? "within " + timeout : "before it exited", output.toUtf8String());
            }
            Thread.sleep(200);
        }
    }

    /** Runs the script to completion. */
    K6Summary run() {
        return start().await();
    }

    /** Everything k6 printed so far. */
    String output() {
        return output.toUtf8String();
    }

    /** Stops k6 if it still runs and removes its container. */
    @Override
    public void close() {
        if (container != null) {
            container.close();
        }
    }

    private InspectContainerResponse.ContainerState state() {
        return DockerClientFactory.instance().client().inspectContainerCmd(container.getContainerId()).exec().getState();
    }

    private void log(OutputFrame frame) {
        String line = frame.getUtf8StringWithoutLineEnding();
        if (!line.isBlank()) {
            lines.add(Map.entry(Instant.now(), line));
            System.out.println("[k6 " + script + "] " + line);
        }
    }

    private static String requiredImage() {
        String image = System.getProperty("k6.image");
        if (image == null || image.isBlank()) {
            fail("system property k6.image is not set: run the tests through Maven (scripts/mvn.sh -pl load-tests verify)");
        }
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException absent) {
            fail("k6 image %s is not in Docker Engine: run make images (or scripts/images.sh k6.image)", image);
        }
        return image;
    }

    /** The Docker network of the kind node (named {@code kind} unless KIND_EXPERIMENTAL_DOCKER_NETWORK says otherwise). */
    private static String kindNetwork() {
        Map<String, ContainerNetwork> networks;
        try {
            networks = DockerClientFactory.instance().client().inspectContainerCmd(NODE).exec().getNetworkSettings().getNetworks();
        } catch (NotFoundException e) {
            throw new AssertionError("no kind node container " + NODE + " in Docker Engine: run `make cluster`", e);
        }
        List<String> names = networks.keySet().stream().sorted().toList();
        if (names.size() != 1) {
            fail("the kind node %s should be on one Docker network, it is on %s: run `make cluster`", NODE, names);
        }
        return names.getFirst();
    }

    /** Successful once the container has left the "created" state, whatever k6 does next. */
    private static final class Started extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient docker, String containerId) {
            return "created".equals(getCurrentState(docker, containerId).getStatus())
                    ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
        }
    }
}
