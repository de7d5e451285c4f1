package com.example.usersinfo.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the users table lives and how hard the service tries to reach it. A record, bound once at
 * startup: a value that does not convert fails startup instead of silently falling back to the default.
 *
 * @param table         table name; DynamoDB allows 3-255 characters of [a-zA-Z0-9_.-]
 * @param region        AWS region of the table
 * @param endpoint      endpoint override for DynamoDB Local or an emulator; unset means the regional AWS endpoint
 * @param maxAttempts   attempts per call, first try included; the SDK backs off exponentially with jitter between them
 * @param attemptTimeout upper bound for one attempt
 * @param callTimeout   upper bound for a whole call including its retries; keeps requests inside client timeouts
 * @param healthTimeout upper bound for readiness's DescribeTable, retries included; below the readiness probe's
 *                      timeout (chart: 2 s), so a DynamoDB that does not answer makes readiness say DEGRADED, not time out
 * @param retryAfter    value of Retry-After sent with a 503 when DynamoDB is unavailable or throttling
 * @param createTable   create the table at startup if missing: only for DynamoDB Local in `make run` and tests
 */
@ConfigurationProperties("users-info.dynamodb")
public record DynamoDbConfiguration(
        @Bindable(defaultValue = "users-info-users")
        @NotNull
        @Pattern(regexp = "[a-zA-Z0-9_.-]{3,255}",
                message = "must be 3-255 characters of letters, digits, '_', '-' or '.'")
        String table,

        @Bindable(defaultValue = "us-east-1")
        @NotNull
        @Pattern(regexp = "[a-z]{2}(-[a-z]+)+-\\d", message = "must be an AWS region such as eu-west-1")
        String region,

        @Nullable
        URI endpoint,

        @Bindable(defaultValue = "3")
        @Min(1)
        @Max(10)
        int maxAttempts,

        @Bindable(defaultValue = "1s")
        @NotNull
        Duration attemptTimeout,

        @Bindable(defaultValue = "3s")
        @NotNull
        Duration callTimeout,

        @Bindable(defaultValue = "1s")
        @NotNull
        Duration healthTimeout,

        @Bindable(defaultValue = "2s")
        @NotNull
        Duration retryAfter,

        @Bindable(defaultValue = "false")
        boolean createTable) {

    public Optional<URI> endpointOverride() {
        return Optional.ofNullable(endpoint);
    }
}
