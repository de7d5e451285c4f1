package com.example.usersinfo.users;

public final class UserNotFoundException extends UserStorageException {
    public UserNotFoundException(String id) {
        super("no user with id " + id, null);
    }
}
