package com.example.usersinfo.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Limits of the public API.
 *
 * @param defaultPageSize page size of GET /users when the client sends no limit
 * @param maxPageSize     largest page a client may ask for
 */
@ConfigurationProperties("users-info.api")
public record ApiConfiguration(
        @Bindable(defaultValue = "20")
        @Min(1)
        @Max(1000)
        int defaultPageSize,

        @Bindable(defaultValue = "100")
        @Min(1)
        @Max(1000)
        int maxPageSize) {
}
