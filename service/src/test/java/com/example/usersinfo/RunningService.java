package com.example.usersinfo;

import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Not a test: the base of the {@code @MicronautTest} classes: the service on a free port against its own in-memory
 * DynamoDB Local, and {@link #api} to talk to it. Subclasses add settings through {@link #settings()}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RunningService implements TestPropertyProvider {

    protected final DynamoDbLocal dynamoDb = DynamoDbLocal.start();

    @Inject
    protected EmbeddedServer server;

    @Inject
    protected JsonMapper json;

    protected Api api;

    /** Settings on top of DynamoDB Local's; by default a cheap password hash, so tests stay fast. */
    protected Map<String, String> settings() {
        return Map.of("users-info.password.memory-kib", "4096");
    }

    @Override
    public final Map<String, String> getProperties() {
        Map<String, String> properties = new HashMap<>(dynamoDb.serviceProperties());
        properties.putAll(settings());
        return properties;
    }

    @BeforeAll
    void connect() {
        api = new Api(server, json);
    }

    @AfterAll
    void stopDynamoDb() {
        dynamoDb.close();
    }
}
