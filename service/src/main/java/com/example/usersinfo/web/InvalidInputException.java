package com.example.usersinfo.web;

/** A request value the API cannot accept: answered with 400 naming {@code field} and how to fix it. */
public final class InvalidInputException extends RuntimeException {

    private final String field;

    public InvalidInputException(String field, String detail) {
        super(detail);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
