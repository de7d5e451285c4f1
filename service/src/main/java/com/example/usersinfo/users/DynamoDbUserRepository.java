package com.example.usersinfo.users;

import com.example.usersinfo.config.DynamoDbConfiguration;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Single-table layout, partition key {@code pk} only:
 * <ul>
 *   <li>{@code user#<id>}: the user (id, email, name, version, createdAt, updatedAt, passwordHash);</li>
 *   <li>{@code email#<lower-case email>}: a claim on the address, holding the owner's id.</li>
 * </ul>
 * Every write that touches an email writes the user and its claim in one transaction, each conditional,
 * so uniqueness never depends on a read-then-write race.
 */
@Singleton
final class DynamoDbUserRepository implements UserRepository {

    static final String PARTITION_KEY = "pk";
    private static final String USER_PREFIX = "user#";
    private static final String EMAIL_PREFIX = "email#";
    private static final String ID = "id";
    private static final String EMAIL = "email";
    private static final String NAME = "name";
    private static final String VERSION = "version";
    private static final String CREATED_AT = "createdAt";
    private static final String UPDATED_AT = "updatedAt";
    private static final String PASSWORD_HASH = "passwordHash";
    private static final String OWNER = "userId";
    private static final String CONDITION_FAILED = "ConditionalCheckFailed";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration healthTimeout;
    private final Clock clock;

    DynamoDbUserRepository(DynamoDbClient dynamoDb, DynamoDbConfiguration configuration, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = configuration.table();
        this.healthTimeout = configuration.healthTimeout();
        this.clock = clock;
    }

    @Override
    public User create(NewUser newUser) {
        Instant now = clock.instant();
        User user = new User(UUID.randomUUID().toString(), newUser.email(), newUser.name(), 1, now, now,
                newUser.passwordHash());
        try {
            dynamoDb.transactWriteItems(tx -> tx.transactItems(
                    putIfAbsent(toItem(user)),
                    putIfAbsent(emailClaim(user.email(), user.id()))));
        } catch (TransactionCanceledException e) {
            // Item 0 is a fresh UUID, so only the claim (item 1) can fail its condition.
            if (failedCondition(e, 1)) {
                throw new DuplicateEmailException();
            }
            throw new StorageUnavailableException(e);
        } catch (SdkException e) {
            throw new StorageUnavailableException(e);
        }
        return user;
    }

    @Override
    public Optional<User> findById(String id) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(get -> get
                    .tableName(table)
                    .key(key(USER_PREFIX + id))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
        } catch (SdkException e) {
            throw new StorageUnavailableException(e);
        }
    }

    @Override
    public Page list(int limit, Optional<String> afterId) {
        List<User> users = new ArrayList<>(limit);
        Map<String, AttributeValue> startKey = afterId.map(id -> key(USER_PREFIX + id)).orElse(null);
        try {
            // A filtered scan may return fewer items than asked for; keep reading until the page is full.
            do {
                Map<String, AttributeValue> exclusiveStart = startKey;
                ScanResponse page = dynamoDb.scan(scan -> scan
                        .tableName(table)
                        .limit(limit - users.size())
                        .exclusiveStartKey(exclusiveStart)
                        .filterExpression("begins_with(#pk, :prefix)")
                        .expressionAttributeNames(Map.of("#pk", PARTITION_KEY))
                        .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(USER_PREFIX))));
                page.items().forEach(item -> users.add(fromItem(item)));
                startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (startKey != null && users.size() < limit);
        } catch (SdkException e) {
            throw new StorageUnavailableException(e);
        }
        boolean more = startKey != null && !users.isEmpty();
        return new Page(users, more ? Optional.of(users.getLast().id()) : Optional.empty());
    }

    @Override
    public User update(String id, long expectedVersion, UserChanges changes) {
        User current = findById(id).orElseThrow(() -> new UserNotFoundException(id));
        if (current.version() != expectedVersion) {
            throw new VersionMismatchException(current.version());
        }
        User updated = new User(id, changes.email(), changes.name(), expectedVersion + 1, current.createdAt(),
                clock.instant(), changes.passwordHash().or(current::passwordHash));
        boolean emailChanged = !current.email().equals(updated.email());
        List<TransactWriteItem> writes = new ArrayList<>(3);
        writes.add(TransactWriteItem.builder().put(Put.builder()
                .tableName(table)
                .item(toItem(updated))
                .conditionExpression("#version = :expected")
                .expressionAttributeNames(Map.of("#version", VERSION))
                .expressionAttributeValues(Map.of(":expected", number(expectedVersion)))
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build()).build());
        if (emailChanged) {
            writes.add(putIfAbsent(emailClaim(updated.email(), id)));
            writes.add(deleteClaim(current.email(), id));
        }
        try {
            dynamoDb.transactWriteItems(tx -> tx.transactItems(writes));
        } catch (TransactionCanceledException e) {
            if (failedCondition(e, 0)) {
                throw conflictOn(id, e.cancellationReasons().getFirst());
            }
            if (emailChanged && failedCondition(e, 1)) {
                throw new DuplicateEmailException();
            }
            throw new StorageUnavailableException(e);
        } catch (SdkException e) {
            throw new StorageUnavailableException(e);
        }
        return updated;
    }

    @Override
    public void delete(String id, Optional<Long> expectedVersion) {
        User current = findById(id).orElseThrow(() -> new UserNotFoundException(id));
        long version = expectedVersion.orElse(current.version());
        if (current.version() != version) {
            throw new VersionMismatchException(current.version());
        }
        try {
            dynamoDb.transactWriteItems(tx -> tx.transactItems(
                    TransactWriteItem.builder().delete(Delete.builder()
                            .tableName(table)
                            .key(key(USER_PREFIX + id))
                            .conditionExpression("#version = :expected")
                            .expressionAttributeNames(Map.of("#version", VERSION))
                            .expressionAttributeValues(Map.of(":expected", number(version)))
                            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                            .build()).build(),
                    deleteClaim(current.email(), id)));
        } catch (TransactionCanceledException e) {
            if (failedCondition(e, 0)) {
                throw conflictOn(id, e.cancellationReasons().getFirst());
            }
            throw new StorageUnavailableException(e);
        } catch (SdkException e) {
            throw new StorageUnavailableException(e);
        }
    }

    @Override
    public boolean isAvailable() {
        try {
            return dynamoDb.describeTable(describe -> describe.tableName(table)
                    .overrideConfiguration(call -> call.apiCallTimeout(healthTimeout))).table() != null;
        } catch (SdkException e) {
            return false;
        }
    }

    private UserStorageException conflictOn(String id, CancellationReason reason) {
        return reason.hasItem() && !reason.item().isEmpty()
                ? new VersionMismatchException(Long.parseLong(reason.item().get(VERSION).n()))
                : new UserNotFoundException(id);
    }

    private static boolean failedCondition(TransactionCanceledException e, int index) {
        return e.hasCancellationReasons()
                && e.cancellationReasons().size() > index
                && CONDITION_FAILED.equals(e.cancellationReasons().get(index).code());
    }

    private TransactWriteItem putIfAbsent(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(Put.builder()
                .tableName(table)
                .item(item)
                .conditionExpression("attribute_not_exists(#pk)")
                .expressionAttributeNames(Map.of("#pk", PARTITION_KEY))
                .build()).build();
    }

    /** Frees an email claim, but only the caller's own: a claim never disappears from under its owner. */
    private TransactWriteItem deleteClaim(String email, String ownerId) {
        return TransactWriteItem.builder().delete(Delete.builder()
                .tableName(table)
                .key(key(EMAIL_PREFIX + email))
                .conditionExpression("#owner = :owner")
                .expressionAttributeNames(Map.of("#owner", OWNER))
                .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(ownerId)))
                .build()).build();
    }

    private static Map<String, AttributeValue> key(String partitionKey) {
        return Map.of(PARTITION_KEY, AttributeValue.fromS(partitionKey));
    }

    private static Map<String, AttributeValue> emailClaim(String email, String ownerId) {
        return Map.of(
                PARTITION_KEY, AttributeValue.fromS(EMAIL_PREFIX + email),
                OWNER, AttributeValue.fromS(ownerId));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static Map<String, AttributeValue> toItem(User user) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PARTITION_KEY, AttributeValue.fromS(USER_PREFIX + user.id()));
        item.put(ID, AttributeValue.fromS(user.id()));
        item.put(EMAIL, AttributeValue.fromS(user.email()));
        item.put(NAME, AttributeValue.fromS(user.name()));
        item.put(VERSION, number(user.version()));
        item.put(CREATED_AT, AttributeValue.fromS(user.createdAt().toString()));
        item.put(UPDATED_AT, AttributeValue.fromS(user.updatedAt().toString()));
        user.passwordHash().ifPresent(hash -> item.put(PASSWORD_HASH, AttributeValue.fromS(hash)));
        return item;
    }

    private static User fromItem(Map<String, AttributeValue> item) {
        return new User(
                item.get(ID).s(),
                item.get(EMAIL).s(),
                item.get(NAME).s(),
                Long.parseLong(item.get(VERSION).n()),
                Instant.parse(item.get(CREATED_AT).s()),
                Instant.parse(item.get(UPDATED_AT).s()),
                Optional.ofNullable(item.get(PASSWORD_HASH)).map(AttributeValue::s));
    }
}
