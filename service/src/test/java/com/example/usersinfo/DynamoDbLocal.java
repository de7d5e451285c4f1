package com.example.usersinfo;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * AWS's own DynamoDB emulator (DynamoDB Local), in this JVM, in memory, on a free loopback port.
 * It can be stopped and started again on the same port to simulate an outage.
 */
public final class DynamoDbLocal implements AutoCloseable {

    private final int port;
    private DynamoDBProxyServer server;

    private DynamoDbLocal(int port) {
        this.port = port;
    }

    public static DynamoDbLocal start() {
        DynamoDbLocal local = new DynamoDbLocal(freePort());
        local.resume();
        return local;
    }

    public static DynamoDbLocal start(int port) {
        DynamoDbLocal local = new DynamoDbLocal(port);
        local.resume();
        return local;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Configuration that points the service at this emulator and lets it create its table. */
    public Map<String, String> serviceProperties() {
        return Map.of(
                "users-info.dynamodb.endpoint", endpoint(),
                "users-info.dynamodb.create-table", "true");
    }

    /** Stops answering; in-memory data is lost, as in a real outage of a local emulator. */
    public void suspend() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop DynamoDB Local on port " + port, e);
        }
    }

    public void resume() {
        try {
            server = ServerRunner.createServerFromCommandLineArgs(
                    new String[] {"-inMemory", "-port", Integer.toString(port)});
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on port " + port
                    + "; is sqlite4java.library.path set to the folder with libsqlite4java (see service/pom.xml)?", e);
        }
    }

    @Override
    public void close() {
        suspend();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port on this machine", e);
        }
    }
}
