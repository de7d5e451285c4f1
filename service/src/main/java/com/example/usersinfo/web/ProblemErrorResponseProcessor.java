package com.example.usersinfo.web;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Renders every error — the framework's (bad JSON, 413, 415, validation) and this service's own — as
 * application/problem+json. Server errors never echo exception text: it could leak internals.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
final class ProblemErrorResponseProcessor implements ErrorResponseProcessor<Problem> {

    private static final MediaType PROBLEM_JSON = MediaType.of(Problem.MEDIA_TYPE);

    @Override
    public MutableHttpResponse<Problem> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpStatus status = response.status();
        boolean serverError = status.getCode() >= 500;
        List<Problem.FieldError> errors = serverError ? List.of() : context.getErrors().stream()
                .map(ProblemErrorResponseProcessor::toFieldError)
                .toList();
        String detail = serverError
                ? "The service could not complete the request; retry later. Details are in the service log."
                : errors.stream().map(e -> e.field() == null ? e.message() : e.field() + " " + e.message())
                        .findFirst().orElse(null);
        Problem problem = new Problem("about:blank", status.getReason(), status.getCode(), detail,
                context.getRequest().getPath(), errors);
        return response.body(problem).contentType(PROBLEM_JSON);
    }

    private static Problem.FieldError toFieldError(Error error) {
        return new Problem.FieldError(error.getPath().orElse(null), error.getMessage());
    }
}
