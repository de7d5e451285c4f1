package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.example.usersinfo.Application;
import com.example.usersinfo.DynamoDbLocal;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code USERS_INFO_LOG_FILE}, as the chart sets it for its Fluent Bit sidecar (docs/logs.md): the service writes
 * the JSON lines it prints on stdout to that file as well, and the file stays bounded however much it logs.
 */
class LogFileTest {

    private static final JsonMapper JSON = JsonMapper.createDefault();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final String REQUEST_ID = "log-file-test";

    /** The production main class in its own JVM, configured through the environment exactly as in the pod. */
    @Test
    void jsonLinesGoToTheFileAndStillToStdout(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users-info.json");
        Path stdout = dir.resolve("stdout.log");
        int port = freePort();
        try (DynamoDbLocal dynamoDb = DynamoDbLocal.start()) {
            ProcessBuilder builder = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"),
                    // DynamoDB Local accepts any credentials; these only satisfy the SDK's provider chain.
                    "-Daws.accessKeyId=local", "-Daws.secretAccessKey=local",
                    "-Dusers-info.dynamodb.endpoint=" + dynamoDb.endpoint(),
                    "-Dusers-info.dynamodb.create-table=true",
                    Application.class.getName())
                    .redirectErrorStream(true)
                    .redirectOutput(stdout.toFile());
            builder.environment().put("USERS_INFO_LOG_FILE", file.toString());
            builder.environment().put("USERS_INFO_ACCESS_LOG_LEVEL", "INFO");
            builder.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(port));
            Process service = builder.start();
            try {
                await("the service answering on port " + port + " (its output: " + stdout + ")")
                        .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> status(port) == 200);

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(accessLine(jsonLines(file)))
                        .as("the access line of request %s in %s, which holds %s", REQUEST_ID, file, jsonLines(file))
                        .isNotNull());
                List<String> raw = Files.readAllLines(file);
                assertThat(raw).as("nothing but JSON objects in the file").allSatisfy(l -> assertThat(l).startsWith("{"));
                List<Map<String, Object>> inFile = raw.stream().map(LogFileTest::parse).toList();
                Map<String, Object> access = accessLine(inFile);
                assertThat(access).containsEntry("level", "INFO").containsKey("timestamp");
                assertThat((String) access.get("message")).contains("\"GET / HTTP/1.1\" 200");
                assertThat(inFile).as("startup lines come first").hasSizeGreaterThan(1);

                await("the same line on stdout").atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(jsonLines(stdout)).contains(access));
            } finally {
                service.destroy();
                assertThat(service.waitFor(30, TimeUnit.SECONDS)).as("the service stops on SIGTERM").isTrue();
            }
        }
    }

    /**
     * The real logback.xml, in a logger context of its own with a small bound: two files at most, the newest lines
     * kept, the oldest dropped. Each batch is logged after the once-a-second size check can run again.
     */
    @Test
    void theFileStaysBounded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users-info.json");
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.putProperty("USERS_INFO_LOG_FILE", file.toString());
        context.putProperty("USERS_INFO_LOG_FILE_MAX_SIZE", "64KB");
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(Application.class.getResource("/logback.xml"));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        // Stdout is the other test's concern; 200 KB of filler there would bury this build's output.
        assertThat(root.detachAppender("ASYNC")).isTrue();

        String filler = "x".repeat(1000);
        int batches = 5;
        int perBatch = 40;
        for (int batch = 0; batch < batches; batch++) {
            for (int i = 0; i < perBatch; i++) {
                root.info("{} {}", batch * perBatch + i, filler);
            }
            TimeUnit.MILLISECONDS.sleep(1100);
        }
        context.stop();

        Path rolled = file.resolveSibling("users-info.json.1");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("users-info.json", "users-info.json.1");
        }
        // The bound plus at most what is written between two checks (one batch here).
        assertThat(Files.size(file)).isLessThanOrEqualTo(2 * 64 * 1024);
        assertThat(Files.size(rolled)).isLessThanOrEqualTo(2 * 64 * 1024);
        String kept = Files.readString(rolled) + Files.readString(file);
        assertThat(kept).contains("\"message\":\"" + (batches * perBatch - 1) + " ").doesNotContain("\"message\":\"0 ");
    }

    private static Map<String, Object> accessLine(List<Map<String, Object>> lines) {
        return lines.stream()
                .filter(l -> "users-info.access".equals(l.get("logger_name"))
                        && String.valueOf(l.get("message")).endsWith(REQUEST_ID))
                .findFirst().orElse(null);
    }

    /** The lines that are JSON objects (stdout also carries the JVM's own plain-text warnings). */
    private static List<Map<String, Object>> jsonLines(Path path) throws IOException {
        if (!Files.exists(path)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(path)) {
            return lines.filter(l -> l.startsWith("{")).map(LogFileTest::parse).toList();
        }
    }

    private static Map<String, Object> parse(String line) {
        try {
            return JSON.readValue(line, Argument.mapOf(String.class, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }

    private static int status(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("X-Request-Id", REQUEST_ID).timeout(Duration.ofSeconds(5)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
