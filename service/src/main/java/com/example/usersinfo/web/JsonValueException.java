package com.example.usersinfo.web;

import io.micronaut.serde.exceptions.SerdeException;

/** A JSON property has the wrong type; {@code field} is its name as the client sent it. */
public final class JsonValueException extends SerdeException {

    private final String field;

    public JsonValueException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
