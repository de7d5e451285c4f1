package com.example.usersinfo.users;

public final class DuplicateEmailException extends UserStorageException {
    public DuplicateEmailException() {
        super("email is already used by another user", null);
    }
}
