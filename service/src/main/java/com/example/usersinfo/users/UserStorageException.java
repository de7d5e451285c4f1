package com.example.usersinfo.users;

/** Base of every expected, non-success outcome of {@link UserRepository}. */
public abstract sealed class UserStorageException extends RuntimeException
        permits DuplicateEmailException, UserNotFoundException, VersionMismatchException, StorageUnavailableException {

    protected UserStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
