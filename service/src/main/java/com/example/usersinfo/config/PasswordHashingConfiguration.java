package com.example.usersinfo.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Argon2id cost. Defaults follow OWASP's password storage cheat sheet (19 MiB, 2 passes, 1 lane).
 * Stored hashes carry their own parameters, so raising the cost never breaks existing passwords.
 *
 * @param memoryKib   memory per hash in KiB
 * @param iterations  passes over that memory
 * @param parallelism lanes
 */
@ConfigurationProperties("users-info.password")
public record PasswordHashingConfiguration(
        @Bindable(defaultValue = "19456")
        @Min(value = 1024, message = "must be at least 1024 KiB")
        @Max(value = 1048576, message = "must be at most 1048576 KiB (1 GiB)")
        int memoryKib,

        @Bindable(defaultValue = "2")
        @Min(1)
        @Max(20)
        int iterations,

        @Bindable(defaultValue = "1")
        @Min(1)
        @Max(16)
        int parallelism) {
}
