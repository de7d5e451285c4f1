package com.example.usersinfo.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/**
 * RFC 9457 problem details, the body of every error response. {@code errors} names each offending input
 * ({@code field}: a body property, query parameter, path variable or header) and what to do about it.
 */
@Serdeable
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(
        String type,
        String title,
        int status,
        @Nullable String detail,
        @Nullable String instance,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record FieldError(@Nullable String field, String message) {
    }
}
