package com.example.usersinfo.web;

import com.example.usersinfo.config.DynamoDbConfiguration;
import com.example.usersinfo.users.DuplicateEmailException;
import com.example.usersinfo.users.StorageUnavailableException;
import com.example.usersinfo.users.UserNotFoundException;
import com.example.usersinfo.users.UserStorageException;
import com.example.usersinfo.users.VersionMismatchException;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps the service's own exceptions to HTTP statuses; the body comes from the problem processor. */
final class DomainExceptionHandlers {

    private DomainExceptionHandlers() {
    }

    @Singleton
    @Produces
    static final class UserStorageHandler implements ExceptionHandler<UserStorageException, HttpResponse<?>> {

        private static final Logger LOG = LoggerFactory.getLogger(UserStorageHandler.class);

        private final ErrorResponseProcessor<?> problems;
        private final String retryAfterSeconds;

        UserStorageHandler(ErrorResponseProcessor<?> problems, DynamoDbConfiguration dynamoDb) {
            this.problems = problems;
            this.retryAfterSeconds = Long.toString(Math.max(1, dynamoDb.retryAfter().toSeconds()));
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, UserStorageException exception) {
            MutableHttpResponse<?> response = switch (exception) {
                case UserNotFoundException e -> HttpResponse.status(HttpStatus.NOT_FOUND);
                case DuplicateEmailException e -> HttpResponse.status(HttpStatus.CONFLICT);
                case VersionMismatchException e -> HttpResponse.status(HttpStatus.PRECONDITION_FAILED)
                        .header(HttpHeaders.ETAG, "\"" + e.currentVersion() + "\"");
                case StorageUnavailableException e -> {
                    LOG.warn("users table unavailable: {}", e.getCause().toString());
                    yield HttpResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
                            .header(HttpHeaders.RETRY_AFTER, retryAfterSeconds);
                }
            };
            boolean clientError = !(exception instanceof StorageUnavailableException);
            return problems.processResponse(ErrorContext.builder(request)
                    .cause(exception)
                    .errorMessage(clientError ? exception.getMessage() : "the users table is unavailable")
                    .build(), response);
        }
    }

    @Singleton
    @Produces
    static final class InvalidInputHandler implements ExceptionHandler<InvalidInputException, HttpResponse<?>> {

        private final ErrorResponseProcessor<?> problems;

        InvalidInputHandler(ErrorResponseProcessor<?> problems) {
            this.problems = problems;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, InvalidInputException exception) {
            return problems.processResponse(ErrorContext.builder(request)
                    .cause(exception)
                    .error(new FieldError(exception.field(), exception.getMessage()))
                    .build(), HttpResponse.badRequest());
        }
    }

    @Singleton
    @Produces
    static final class PreconditionRequiredHandler
            implements ExceptionHandler<PreconditionRequiredException, HttpResponse<?>> {

        private final ErrorResponseProcessor<?> problems;

        PreconditionRequiredHandler(ErrorResponseProcessor<?> problems) {
            this.problems = problems;
        }

        @Override
        public HttpResponse<?> handle(HttpRequest request, PreconditionRequiredException exception) {
            return problems.processResponse(ErrorContext.builder(request)
                    .cause(exception)
                    .error(new FieldError(HttpHeaders.IF_MATCH, exception.getMessage()))
                    .build(), HttpResponse.status(HttpStatus.PRECONDITION_REQUIRED));
        }
    }
}
