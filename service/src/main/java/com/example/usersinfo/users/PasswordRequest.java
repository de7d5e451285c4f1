package com.example.usersinfo.users;

import com.example.usersinfo.web.JsonText;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.annotation.Serdeable.Deserializable;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Body of POST /users/{id}/password/verify. */
@Serdeable
public record PasswordRequest(
        @NotNull(message = "is required")
        @Size(max = 128, message = "must be at most 128 characters")
        @Deserializable(using = JsonText.class)
        String password) {
}
