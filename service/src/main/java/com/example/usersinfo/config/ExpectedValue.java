package com.example.usersinfo.config;

import java.net.URI;
import java.time.Duration;

/** What a setting or request parameter of a given type accepts, in words for an error message. */
public final class ExpectedValue {

    private ExpectedValue() {
    }

    public static String of(Class<?> type) {
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "a whole number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 3s or PT3S";
        }
        if (type == URI.class) {
            return "a URI such as http://127.0.0.1:8000";
        }
        return "a " + type.getSimpleName();
    }
}
