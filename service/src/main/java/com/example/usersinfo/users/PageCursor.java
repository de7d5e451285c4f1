package com.example.usersinfo.users;

import com.example.usersinfo.web.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Opaque page cursor: clients pass back what they were given and must not build one themselves. */
final class PageCursor {

    private static final String FORMAT = "v1:";

    private PageCursor() {
    }

    static String encode(String lastId) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((FORMAT + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** The id the page ends at; a cursor this service did not issue is a 400 naming the parameter. */
    static Optional<String> decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (decoded.startsWith(FORMAT) && UserIds.isValid(decoded.substring(FORMAT.length()))) {
                return Optional.of(decoded.substring(FORMAT.length()));
            }
        } catch (IllegalArgumentException notBase64) {
            // falls through to the same answer as any other cursor we did not issue
        }
        throw new InvalidInputException("cursor",
                "is not a cursor this service issued; pass the nextCursor of the previous page, or omit it to start over");
    }
}
