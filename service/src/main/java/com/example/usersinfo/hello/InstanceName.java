package com.example.usersinfo.hello;

import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The pod name on Kubernetes (its hostname), the task's hostname on ECS, the machine's name elsewhere. */
@Singleton
final class InstanceName {

    private final String name;

    InstanceName() {
        // Containers set HOSTNAME; reading it avoids a DNS lookup that can stall startup on a laptop.
        String hostname = System.getenv("HOSTNAME");
        this.name = hostname != null && !hostname.isBlank() ? hostname : localHostName();
    }

    String get() {
        return name;
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
