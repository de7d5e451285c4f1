package com.example.usersinfo.users;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

@Serdeable
public record UserPage(
        List<UserResponse> items,
        @Nullable
        String nextCursor) {
}
