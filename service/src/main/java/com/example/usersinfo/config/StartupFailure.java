package com.example.usersinfo.config;

import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.naming.NameUtils;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failed startup into one line an operator can act on: the setting, its environment variable and
 * what it accepts, instead of a bean-resolution trace.
 */
public final class StartupFailure {

    /** How Micronaut reports a constraint violation on a configuration record. */
    private static final Pattern VIOLATION = Pattern.compile(
            "(?s)constraint violations:\\[\\s*[\\w.$]*\\.(\\w+) - ([^\\n]+).*ConfigurationProperties\\(\"([^\"]+)\"\\)");

    private StartupFailure() {
    }

    public static String describe(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConfigurationException && cause.getMessage() != null
                    && cause.getMessage().matches("[\\w.-]+=.*: must .*")) {
                return withEnvironmentName(cause.getMessage());
            }
            Matcher violation = VIOLATION.matcher(String.valueOf(cause.getMessage()));
            if (violation.find()) {
                String setting = violation.group(3) + "." + NameUtils.hyphenate(violation.group(1));
                return withEnvironmentName(setting + ": " + violation.group(2).strip());
            }
        }
        String first = String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
        return "startup failed: " + first + " (the full trace is in the log above)";
    }

    /** Appends the environment variable that sets it: what operators of containers actually edit. */
    private static String withEnvironmentName(String line) {
        String setting = line.substring(0, line.indexOf(line.contains("=") ? '=' : ':'));
        String variable = setting.replaceAll("[.-]", "_").toUpperCase(Locale.ROOT);
        return line + " (setting " + setting + ", environment variable " + variable + ")";
    }
}
