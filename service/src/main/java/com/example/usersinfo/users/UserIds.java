package com.example.usersinfo.users;

import java.util.regex.Pattern;

/** User ids are lower-case UUIDs; anything else cannot name a user. */
final class UserIds {

    static final String PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    private static final Pattern COMPILED = Pattern.compile(PATTERN);

    private UserIds() {
    }

    static boolean isValid(String id) {
        return COMPILED.matcher(id).matches();
    }
}
