package com.example.usersinfo.users;

/** DynamoDB could not be reached or kept throttling after the SDK's bounded retries. */
public final class StorageUnavailableException extends UserStorageException {
    public StorageUnavailableException(Throwable cause) {
        super("the users table is unavailable: " + cause.getMessage(), cause);
    }
}
