package com.example.usersinfo.health;

import com.example.usersinfo.config.DynamoDbConfiguration;
import com.example.usersinfo.users.UserRepository;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Reports the users table as {@code usersTable} in {@code /health} and {@code /health/readiness}: UP, or
 * {@link #DEGRADED} while DescribeTable fails, which keeps both answering 200. Every pod shares the table, so
 * a readiness that failed with it would take all pods out of the Service (or the load balancer) at once: clients
 * would get connection errors the service's metrics never count, the availability SLO would not page, and on
 * ECS failing target health checks would make ECS replace every task. The pods stay in instead and answer 503
 * with Retry-After, which the SLO counts and clients can act on. Liveness leaves it out too: restarts would
 * not help.
 */
@Singleton
final class UsersTableHealthIndicator extends AbstractHealthIndicator<Map<String, Object>> {

    /**
     * Working, without the table. Operational unset: ranked above UP and below DOWN when the endpoint aggregates
     * (HealthStatus#compareTo), and answered 200 (no http-mapping names it).
     */
    private static final HealthStatus DEGRADED = new HealthStatus("DEGRADED",
            "the users table does not answer: requests that need it get 503 with Retry-After", null, null);

    private final UserRepository users;
    private final String table;

    UsersTableHealthIndicator(UserRepository users, DynamoDbConfiguration configuration) {
        this.users = users;
        this.table = configuration.table();
    }

    @Override
    protected Map<String, Object> getHealthInformation() {
        healthStatus = users.isAvailable() ? HealthStatus.UP : DEGRADED;
        return Map.of("table", table);
    }

    @Override
    protected String getName() {
        return "usersTable";
    }
}
