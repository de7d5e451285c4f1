package com.example.usersinfo;

import com.example.usersinfo.config.StartupFailure;
import io.micronaut.runtime.Micronaut;

public final class Application {

    private Application() {
    }

    public static void main(String[] args) {
        try {
            Micronaut.build(args)
                    .mainClass(Application.class)
                    // Fail at startup, not on first request, when configuration or wiring is wrong.
                    .eagerInitConfiguration(true)
                    .eagerInitSingletons(true)
                    .start();
        } catch (RuntimeException e) {
            System.err.println("users-info did not start: " + StartupFailure.describe(e));
            System.exit(1);
        }
    }
}
