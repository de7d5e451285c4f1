package com.example.usersinfo.users;

import io.micronaut.core.annotation.Nullable;
import com.example.usersinfo.web.JsonText;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.annotation.Serdeable.Deserializable;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Body of POST /users and PUT /users/{id}. On PUT, an absent password keeps the current one. */
@Serdeable
public record UserRequest(
        @NotNull(message = "is required")
        @Email(message = "must be a valid email address such as ada@example.com")
        @Size(max = 254, message = "must be at most 254 characters")
        @Deserializable(using = JsonText.class)
        String email,

        @NotBlank(message = "is required and must not be blank")
        @Size(max = 200, message = "must be at most 200 characters")
        @Deserializable(using = JsonText.class)
        String name,

        @Nullable
        @Size(min = 8, max = 128, message = "must be 8 to 128 characters")
        @Deserializable(using = JsonText.class)
        String password) {
}
