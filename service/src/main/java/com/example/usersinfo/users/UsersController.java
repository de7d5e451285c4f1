package com.example.usersinfo.users;

import com.example.usersinfo.config.ApiConfiguration;
import com.example.usersinfo.web.InvalidInputException;
import com.example.usersinfo.web.PreconditionRequiredException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.util.Optional;

/**
 * The users-info API. DynamoDB calls block, so handlers run on the blocking executor (virtual threads),
 * never on the Netty event loop.
 */
@Controller("/users")
@ExecuteOn(TaskExecutors.BLOCKING)
class UsersController {

    private static final String ID_MESSAGE = "must be a user id (a lower-case UUID)";

    private final UserRepository users;
    private final PasswordHasher passwords;
    private final ApiConfiguration api;

    UsersController(UserRepository users, PasswordHasher passwords, ApiConfiguration api) {
        this.users = users;
        this.passwords = passwords;
        this.api = api;
    }

    @Post
    HttpResponse<UserResponse> create(@Valid @Body UserRequest request) {
        User user = users.create(new UserRepository.NewUser(
                normalize(request.email()), request.name().strip(),
                Optional.ofNullable(request.password()).map(passwords::hash)));
        return withEtag(HttpResponse.created(UserResponse.of(user), URI.create("/users/" + user.id())), user);
    }

    @Get("/{id}")
    HttpResponse<UserResponse> get(@PathVariable @Pattern(regexp = UserIds.PATTERN, message = ID_MESSAGE) String id) {
        User user = users.findById(id).orElseThrow(() -> new UserNotFoundException(id));
        return withEtag(HttpResponse.ok(UserResponse.of(user)), user);
    }

    @Get
    UserPage list(
            @QueryValue @Nullable Integer limit,
            @QueryValue @Nullable String cursor) {
        int pageSize = limit == null ? api.defaultPageSize() : limit;
        if (pageSize < 1 || pageSize > api.maxPageSize()) {
            throw new InvalidInputException("limit", "must be between 1 and " + api.maxPageSize());
        }
        UserRepository.Page page = users.list(pageSize, PageCursor.decode(cursor));
        return new UserPage(
                page.users().stream().map(UserResponse::of).toList(),
                page.lastId().map(PageCursor::encode).orElse(null));
    }

    @Put("/{id}")
    HttpResponse<UserResponse> update(
            @PathVariable @Pattern(regexp = UserIds.PATTERN, message = ID_MESSAGE) String id,
            @Header(HttpHeaders.IF_MATCH) @Nullable String ifMatch,
            @Valid @Body UserRequest request) {
        if (ifMatch == null) {
            throw new PreconditionRequiredException(
                    "send If-Match with the ETag from your last GET of this user, so concurrent updates are not lost");
        }
        User user = users.update(id, EntityTags.parseIfMatch(ifMatch), new UserRepository.UserChanges(
                normalize(request.email()), request.name().strip(),
                Optional.ofNullable(request.password()).map(passwords::hash)));
        return withEtag(HttpResponse.ok(UserResponse.of(user)), user);
    }

    @Delete("/{id}")
    @Status(HttpStatus.NO_CONTENT)
    void delete(
            @PathVariable @Pattern(regexp = UserIds.PATTERN, message = ID_MESSAGE) String id,
            @Header(HttpHeaders.IF_MATCH) @Nullable String ifMatch) {
        users.delete(id, Optional.ofNullable(ifMatch).map(EntityTags::parseIfMatch));
    }

    @Post("/{id}/password/verify")
    HttpResponse<Void> verifyPassword(
            @PathVariable @Pattern(regexp = UserIds.PATTERN, message = ID_MESSAGE) String id,
            @Valid @Body PasswordRequest request) {
        Optional<String> hash = users.findById(id).flatMap(User::passwordHash);
        return passwords.verify(request.password(), hash)
                ? HttpResponse.noContent()
                : HttpResponse.unauthorized();
    }

    private static <T> HttpResponse<T> withEtag(io.micronaut.http.MutableHttpResponse<T> response, User user) {
        return response.header(HttpHeaders.ETAG, EntityTags.of(user.version()));
    }

    private static String normalize(String email) {
        return email.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
