package com.example.usersinfo.users;

import com.example.usersinfo.web.InvalidInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Strong ETags carry the user's version: {@code "7"}. */
final class EntityTags {

    private static final Pattern TAG = Pattern.compile("\\s*(?:W/)?\"(\\d{1,18})\"\\s*");

    private EntityTags() {
    }

    static String of(long version) {
        return "\"" + version + "\"";
    }

    /** Parses an If-Match value; a malformed one is a 400 that shows the expected form. */
    static long parseIfMatch(String header) {
        Matcher matcher = TAG.matcher(header);
        if (!matcher.matches()) {
            throw new InvalidInputException("If-Match",
                    "must be the ETag of the user as last read, for example \"3\" (with the quotes)");
        }
        return Long.parseLong(matcher.group(1));
    }
}
