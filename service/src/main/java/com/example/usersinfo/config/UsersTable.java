package com.example.usersinfo.config;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Creates the users table at startup, for the embedded DynamoDB Local of {@code make run} and the tests only.
 * Everywhere else the table is infrastructure (infra-shared) and the service never creates it.
 * The schema here must match infra-shared's {@code aws_dynamodb_table.users}: partition key {@code pk} (S).
 */
@Context
@Requires(property = "users-info.dynamodb.create-table", value = "true")
public final class UsersTable {

    private static final Logger LOG = LoggerFactory.getLogger(UsersTable.class);

    private final DynamoDbClient dynamoDb;
    private final String table;

    UsersTable(DynamoDbClient dynamoDb, DynamoDbConfiguration configuration) {
        this.dynamoDb = dynamoDb;
        this.table = configuration.table();
        createIfMissing();
    }

    public void createIfMissing() {
        try {
            dynamoDb.createTable(create -> create
                    .tableName(table)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName("pk").attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST));
            dynamoDb.waiter().waitUntilTableExists(describe -> describe.tableName(table));
            LOG.info("created table {}", table);
        } catch (ResourceInUseException alreadyThere) {
            LOG.debug("table {} exists", table);
        }
    }
}
