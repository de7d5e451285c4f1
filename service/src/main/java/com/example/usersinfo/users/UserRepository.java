package com.example.usersinfo.users;

import java.util.List;
import java.util.Optional;

/**
 * Storage of users. Email addresses are unique; updates are conditional on the version the caller read.
 * Implementations throw {@link UserStorageException} subclasses for every outcome other than success.
 */
public interface UserRepository {

    /** Stores a new user. Throws {@link DuplicateEmailException} if the email is taken. */
    User create(NewUser user);

    Optional<User> findById(String id);

    /** Up to {@code limit} users after the user {@code afterId} (exclusive); {@code lastId} is empty at the end. */
    Page list(int limit, Optional<String> afterId);

    /**
     * Replaces email, name and (when given) password hash, if the stored version is {@code expectedVersion}.
     * Throws {@link UserNotFoundException}, {@link VersionMismatchException} or {@link DuplicateEmailException}.
     */
    User update(String id, long expectedVersion, UserChanges changes);

    /**
     * Deletes a user and frees its email; with an expected version, only if it still matches.
     * Throws {@link UserNotFoundException} or {@link VersionMismatchException}.
     */
    void delete(String id, Optional<Long> expectedVersion);

    /**
     * Whether the table can be reached right now (reported by readiness, never failing it), answered within the
     * health-timeout setting however long a data call may take.
     */
    boolean isAvailable();

    record NewUser(String email, String name, Optional<String> passwordHash) {
    }

    record UserChanges(String email, String name, Optional<String> passwordHash) {
    }

    /** One page of users, ordered as the store returns them; {@code lastId} is set when more may follow. */
    record Page(List<User> users, Optional<String> lastId) {
    }
}
