package com.example.usersinfo.users;

import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;

@Serdeable
public record UserResponse(
        String id,
        String email,
        String name,
        long version,
        boolean hasPassword,
        Instant createdAt,
        Instant updatedAt) {

    static UserResponse of(User user) {
        return new UserResponse(user.id(), user.email(), user.name(), user.version(),
                user.passwordHash().isPresent(), user.createdAt(), user.updatedAt());
    }
}
