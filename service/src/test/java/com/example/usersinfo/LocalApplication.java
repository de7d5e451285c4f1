package com.example.usersinfo;

import io.micronaut.runtime.Micronaut;
import java.util.Map;

/**
 * {@code make run}: the service with an embedded DynamoDB Local, no Docker and no AWS account needed.
 * It lives in test sources so DynamoDB Local never reaches the production image.
 */
public final class LocalApplication {

    private LocalApplication() {
    }

    public static void main(String[] args) {
        // DynamoDB Local accepts any credentials; these only satisfy the SDK's provider chain.
        System.setProperty("aws.accessKeyId", System.getProperty("aws.accessKeyId", "local"));
        System.setProperty("aws.secretAccessKey", System.getProperty("aws.secretAccessKey", "local"));
        int port = Integer.getInteger("users-info.dynamodb-local.port", 8000);
        DynamoDbLocal dynamoDb = DynamoDbLocal.start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(dynamoDb::close, "dynamodb-local-stop"));
        System.err.printf("DynamoDB Local (in memory) on %s%n", dynamoDb.endpoint());
        Micronaut.build(args)
                .mainClass(Application.class)
                .properties(Map.<String, Object>copyOf(dynamoDb.serviceProperties()))
                .start();
    }
}
