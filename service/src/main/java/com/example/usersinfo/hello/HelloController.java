package com.example.usersinfo.hello;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

@Controller
class HelloController {

    private final Greeting greeting;

    HelloController(@Value("${micronaut.application.version}") String version, InstanceName instance) {
        // Everything in the answer is fixed for the process lifetime: build it once, not per request.
        this.greeting = new Greeting("Hello, World!", instance.get(), version);
    }

    @Get
    Greeting hello() {
        return greeting;
    }

    @Serdeable
    record Greeting(String message, String instance, String version) {
    }
}
