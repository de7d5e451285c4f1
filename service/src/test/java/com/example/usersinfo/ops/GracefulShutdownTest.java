package com.example.usersinfo.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.usersinfo.Api;
import com.example.usersinfo.Api.Reply;
import com.example.usersinfo.DynamoDbLocal;
import io.micronaut.context.ApplicationContext;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop (SIGTERM in a container) lets the requests already in flight finish instead of cutting them off. */
class GracefulShutdownTest {

    @Test
    void inFlightRequestFinishesWhileTheServerStops() throws Exception {
        try (DynamoDbLocal dynamoDb = DynamoDbLocal.start()) {
            Map<String, Object> properties = new HashMap<>(dynamoDb.serviceProperties());
            // A deliberately slow hash (~1 s here) keeps a request in flight while the server is stopped.
            properties.put("users-info.password.memory-kib", "65536");
            properties.put("users-info.password.iterations", "12");
            EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, properties);
            Api api = new Api(server, server.getApplicationContext().getBean(JsonMapper.class));
            Reply created = api.post("/users", "{\"email\":\"" + UUID.randomUUID() + "@example.com\",\"name\":\"G\","
                    + "\"password\":\"graceful password\"}");
            assertThat(created.status()).isEqualTo(201);
            String verify = "/users/" + created.map().get("id") + "/password/verify";

            long start = System.nanoTime();
            CompletableFuture<Reply> inFlight = CompletableFuture.supplyAsync(
                    () -> api.post(verify, "{\"password\":\"graceful password\"}"));
            TimeUnit.MILLISECONDS.sleep(300);
            assertThat(inFlight).as("the request must still be running when the stop begins").isNotDone();
            server.getApplicationContext().stop();

            assertThat(inFlight.get(30, TimeUnit.SECONDS).status()).isEqualTo(204);
            assertThat(server.isRunning()).isFalse();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThan(300);
        }
    }
}
