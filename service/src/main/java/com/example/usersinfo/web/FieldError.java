package com.example.usersinfo.web;

import io.micronaut.http.server.exceptions.response.Error;
import java.util.Optional;

/**
 * One offending input for the problem processor: {@code field} is a JSON property path, query
 * parameter, path variable or header name, exactly as the client spells it.
 */
record FieldError(String field, String message) implements Error {

    @Override
    public Optional<String> getPath() {
        return Optional.of(field);
    }

    @Override
    public String getMessage() {
        return message;
    }
}
