package com.example.usersinfo.users;

import java.time.Instant;
import java.util.Optional;

/**
 * A stored user. {@code version} starts at 1 and grows by one with every update; it is the ETag.
 * {@code passwordHash} is a PHC-format Argon2id string and never leaves the service.
 */
public record User(
        String id,
        String email,
        String name,
        long version,
        Instant createdAt,
        Instant updatedAt,
        Optional<String> passwordHash) {
}
