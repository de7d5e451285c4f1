package com.example.usersinfo;

import com.example.usersinfo.config.StartupFailure;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;

public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        new Launcher()
                .args(args)
                .mainClass(Application.class)
                // Fail at startup, not on first request, when configuration or wiring is wrong.
                .eagerInitConfiguration(true)
                .eagerInitSingletons(true)
                .start();
    }

    /**
     * Micronaut catches a failed start itself, logs the trace and exits with 1 (or rethrows under test), so a
     * catch around {@code start()} never runs. This adds the one line an operator acts on, on stderr.
     */
    static final class Launcher extends Micronaut {

        @Override
        protected void handleStartupException(Environment environment, Throwable failure) {
            System.err.println("users-info did not start: " + StartupFailure.describe(failure));
            super.handleStartupException(environment, failure);
        }
    }
}
