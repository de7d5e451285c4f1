package com.example.usersinfo.health;

import com.example.usersinfo.config.DynamoDbConfiguration;
import com.example.usersinfo.users.UserRepository;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Readiness includes the users table: a pod that cannot reach it gets no traffic, and comes back by itself
 * once DescribeTable succeeds again. Liveness deliberately does not include it (restarts would not help).
 */
@Singleton
@Readiness
final class UsersTableHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {

    private final UserRepository users;
    private final String table;

    UsersTableHealthIndicator(UserRepository users, DynamoDbConfiguration configuration) {
        this.users = users;
        this.table = configuration.table();
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        healthStatus = users.isAvailable() ? HealthStatus.UP : HealthStatus.DOWN;
        return Map.of("table", table);
    }

    @Override
    protected String getName() {
        return "usersTable";
    }
}
