package com.example.usersinfo;

import com.example.usersinfo.config.StartupFailure;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.slf4j.LoggerFactory;

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
     * Micronaut catches a failed start itself, logs it and calls {@code System.exit(1)}, so a catch around
     * {@code start()} never runs. This ends the same way, but first prints the one line an operator acts on.
     */
    static final class Launcher extends Micronaut {

        @Override
        protected void handleStartupException(Environment environment, Throwable failure) {
            if (environment != null && environment.getActiveNames().contains(Environment.TEST)) {
                super.handleStartupException(environment, failure);
                return;
            }
            LoggerFactory.getLogger(Application.class).error("users-info did not start", failure);
            System.err.println("users-info did not start: " + StartupFailure.describe(failure));
            System.exit(1);
        }
    }
}
