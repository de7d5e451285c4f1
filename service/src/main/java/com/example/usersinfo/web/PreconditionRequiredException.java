package com.example.usersinfo.web;

/** A conditional request was required but not sent: answered with 428. */
public final class PreconditionRequiredException extends RuntimeException {

    public PreconditionRequiredException(String detail) {
        super(detail);
    }
}
