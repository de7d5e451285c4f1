package com.example.usersinfo.web;

import com.example.usersinfo.config.ExpectedValue;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ConversionErrorHandler;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import io.micronaut.serde.exceptions.SerdeException;
import io.micronaut.validation.exceptions.ConstraintExceptionHandler;
import jakarta.inject.Singleton;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the framework's input errors into 400 problems that name the field the way the client wrote it
 * ({@code email}, {@code limit}) rather than the Java method and parameter ({@code create.request.email}),
 * and say what is allowed instead of echoing parser internals.
 */
final class InputErrorHandlers {

    private InputErrorHandlers() {
    }

    @Singleton
    @Produces
    @Replaces(ConstraintExceptionHandler.class)
    static final class ConstraintViolationHandler
            implements ExceptionHandler<ConstraintViolationException, HttpResponse<?>> {

        private final ErrorResponseProcessor<?> problems;

        ConstraintViolationHandler(ErrorResponseProcessor<?> problems) {
            this.problems = problems;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, ConstraintViolationException exception) {
            List<Error> errors = exception.getConstraintViolations().stream()
                    .map(violation -> new FieldError(clientPath(violation), violation.getMessage()))
                    .sorted(Comparator.comparing(FieldError::field))
                    .<Error>map(error -> error)
                    .toList();
            return problems.processResponse(ErrorContext.builder(request).cause(exception).errors(errors).build(),
                    HttpResponse.badRequest());
        }

        /** {@code create.request.email} → {@code email}; {@code list.limit} → {@code limit}. */
        private static String clientPath(ConstraintViolation<?> violation) {
            StringBuilder path = new StringBuilder();
            String parameter = null;
            for (Path.Node node : violation.getPropertyPath()) {
                if (node.getKind() == ElementKind.PARAMETER) {
                    parameter = node.getName();
                } else if (node.getKind() == ElementKind.PROPERTY) {
                    path.append(path.isEmpty() ? "" : ".").append(node.getName());
                }
            }
            return !path.isEmpty() ? path.toString() : parameter == null ? "body" : parameter;
        }
    }

    @Singleton
    @Produces
    @Replaces(ConversionErrorHandler.class)
    static final class ConversionHandler implements ExceptionHandler<ConversionErrorException, HttpResponse<?>> {

        /** Serde names the JSON property in its messages; this finds it. */
        private static final Pattern UNKNOWN_PROPERTY = Pattern.compile("Unknown property \\[([^\\]]+)]");

        private final ErrorResponseProcessor<?> problems;

        ConversionHandler(ErrorResponseProcessor<?> problems) {
            this.problems = problems;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, ConversionErrorException exception) {
            return problems.processResponse(ErrorContext.builder(request)
                    .cause(exception)
                    .error(describe(exception))
                    .build(), HttpResponse.badRequest());
        }

        private static FieldError describe(ConversionErrorException exception) {
            Throwable cause = exception.getConversionError().getCause();
            for (Throwable c = cause; c != null; c = c.getCause()) {
                if (c instanceof JsonValueException wrongType) {
                    return new FieldError(wrongType.field(), wrongType.getMessage());
                }
            }
            if (cause instanceof SerdeException && cause.getMessage() != null) {
                Matcher unknown = UNKNOWN_PROPERTY.matcher(cause.getMessage());
                if (unknown.find()) {
                    return new FieldError(unknown.group(1),
                            "is not a known property; remove it (see the API document at /openapi/users-info.yml)");
                }
                return new FieldError("body", "is not valid for this request; see the API document at /openapi/users-info.yml");
            }
            Argument<?> argument = exception.getArgument();
            return new FieldError(argument.getName(), "must be " + ExpectedValue.of(argument.getType()));
        }
    }
}
