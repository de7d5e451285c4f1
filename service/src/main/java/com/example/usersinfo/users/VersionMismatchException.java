package com.example.usersinfo.users;

public final class VersionMismatchException extends UserStorageException {
    private final long currentVersion;

    public VersionMismatchException(long currentVersion) {
        super("the user was changed since it was read; current version is " + currentVersion, null);
        this.currentVersion = currentVersion;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
