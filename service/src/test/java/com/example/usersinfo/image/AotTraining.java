package com.example.usersinfo.image;

import com.example.usersinfo.DynamoDbLocal;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.testcontainers.containers.GenericContainer;

/**
 * The AOT cache's training run (JEP 483/514/515), run by the build between the two image builds (service/pom.xml):
 * {@code AotTraining IMAGE OUTPUT}. It starts IMAGE (the service without a cache) with
 * {@code -XX:AOTCacheOutput}, sends it the requests production sees, stops it with SIGTERM as an orchestrator
 * does, and copies the cache the JVM writes on exit to OUTPUT.
 *
 * <p>The cache is only valid for the JVM build and the class path it was trained with. Both are guaranteed by
 * training inside IMAGE itself: the final image is IMAGE's layers unchanged plus one layer holding the cache,
 * so the runtime and every jar (path, size, timestamp) are the ones the training run used.
 *
 * <p>Jib builds are reproducible, so IMAGE's ID names its content: when it matches the ID recorded next to
 * OUTPUT, the cache is current and the training run is skipped.
 */
public final class AotTraining {

    /** In the container's writable layer, not a tmpfs: it must outlive the process so it can be copied out. */
    private static final String CACHE_IN_CONTAINER = "/tmp/users-info.aot";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: AotTraining IMAGE OUTPUT");
        }
        try {
            run(args[0], Path.of(args[1]).toAbsolutePath());
        } catch (Exception | AssertionError e) {
            System.err.println("AOT training run failed: " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
        // DynamoDB Local leaves its job threads (TTL and index deletion, non-daemon) running after it stops:
        // without this the build would wait minutes for them.
        System.exit(0);
    }

    private static void run(String image, Path output) throws Exception {
        Path trainedOn = output.resolveSibling(output.getFileName() + ".image-id");
        ServiceImage.requireDocker();
        String imageId = ServiceImage.requireImage(image);
        if (Files.isRegularFile(output) && Files.isRegularFile(trainedOn)
                && Files.readString(trainedOn).strip().equals(imageId)) {
            System.out.printf("AOT cache %s is current (trained on %s, %s)%n", output, image, imageId);
            return;
        }
        Files.createDirectories(output.getParent());
        Files.deleteIfExists(trainedOn);
        Files.deleteIfExists(output);

        long started = System.nanoTime();
        try (DynamoDbLocal dynamoDb = DynamoDbLocal.start();
                GenericContainer<?> service = ServiceImage.service(image, dynamoDb)
                        .withEnv("JDK_JAVA_OPTIONS", "-XX:AOTCacheOutput=" + CACHE_IN_CONTAINER)) {
            service.start();
            int requests = train(URI.create("http://" + service.getHost() + ":" + service.getMappedPort(ServiceImage.PORT)));
            DockerClient docker = service.getDockerClient();
            // SIGTERM, as Kubernetes and ECS stop a task; the JVM assembles the cache before it exits.
            docker.stopContainerCmd(service.getContainerId()).withTimeout(120).exec();
            String logs = service.getLogs();
            if (!logs.contains("AOTCache creation is complete")) {
                throw new IllegalStateException("the training run of " + image + " wrote no AOT cache; its log:\n" + logs);
            }
            copyOut(docker, service.getContainerId(), output);
            System.out.printf(Locale.ROOT, "AOT cache %s: %.1f MB from %d requests, trained on %s (%s) in %.1f s%n",
                    output, Files.size(output) / 1e6, requests, image, imageId, (System.nanoTime() - started) / 1e9);
        }
        Files.writeString(trainedOn, imageId + "\n");
    }

    /** What production does, several times over so the JIT's profiles see every path: returns the request count. */
    private static int train(URI base) throws IOException, InterruptedException {
        int count = 0;
        for (int round = 0; round < 25; round++) {
            count += expect(base, "GET", "/", null, null, 200);
            count += expect(base, "GET", "/health/readiness", null, null, 200);
            count += expect(base, "GET", "/health/liveness", null, null, 200);
            String created = send(base, "POST", "/users", "{\"email\":\"train-" + round
                    + "@example.com\",\"name\":\"Training\",\"password\":\"correct horse battery\"}", null, 201);
            count++;
            Matcher id = ID.matcher(created);
            if (!id.find()) {
                throw new IllegalStateException("POST /users answered without an id: " + created);
            }
            String user = "/users/" + id.group(1);
            count += expect(base, "GET", user, null, null, 200);
            count += expect(base, "PUT", user, "{\"email\":\"train-" + round + "@example.com\",\"name\":\"Trained\"}",
                    "\"1\"", 200);
            count += expect(base, "POST", user + "/password/verify", "{\"password\":\"correct horse battery\"}", null, 204);
            count += expect(base, "POST", user + "/password/verify", "{\"password\":\"wrong\"}", null, 401);
            count += expect(base, "GET", "/users?limit=10", null, null, 200);
            // The error paths are part of the service too: problem+json for bad input, 404, 412.
            count += expect(base, "POST", "/users", "{\"email\":\"not-an-email\",\"name\":\"x\"}", null, 400);
            count += expect(base, "POST", "/users", "{not json", null, 400);
            count += expect(base, "GET", "/users/" + java.util.UUID.randomUUID(), null, null, 404);
            count += expect(base, "PUT", user, "{\"email\":\"train-" + round + "@example.com\",\"name\":\"x\"}",
                    "\"1\"", 412);
            count += expect(base, "GET", "/prometheus", null, null, 200);
            count += expect(base, "DELETE", user, null, null, 204);
        }
        return count;
    }

    private static int expect(URI base, String method, String path, String body, String ifMatch, int status)
            throws IOException, InterruptedException {
        send(base, method, path, body, ifMatch, status);
        return 1;
    }

    private static String send(URI base, String method, String path, String body, String ifMatch, int status)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != status) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + " (expected "
                    + status + "): " + response.body());
        }
        return response.body();
    }

    /** Docker's archive API works on a stopped container; it answers with a tar holding the one file. */
    private static void copyOut(DockerClient docker, String containerId, Path output) throws IOException {
        try (InputStream archive = docker.copyArchiveFromContainerCmd(containerId, CACHE_IN_CONTAINER).exec();
                TarArchiveInputStream tar = new TarArchiveInputStream(archive)) {
            TarArchiveEntry entry = tar.getNextEntry();
            if (entry == null || !entry.isFile()) {
                throw new IOException(CACHE_IN_CONTAINER + " is not a file in container " + containerId);
            }
            Path partial = output.resolveSibling(output.getFileName() + ".partial");
            Files.copy(tar, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
