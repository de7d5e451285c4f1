package com.example.usersinfo.config;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The synchronous DynamoDB client. Handlers run on virtual threads, so a blocking call costs no platform
 * thread and the code stays straight-line; the async client would add callbacks for no throughput gain.
 */
@Factory
class DynamoDbClientFactory {

    @Singleton
    DynamoDbClient dynamoDbClient(DynamoDbConfiguration configuration, MetricPublisher metrics) {
        RetryStrategy retries = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(configuration.maxAttempts())
                // Concurrent transactions on one item are cancelled with TransactionConflict; that is transient.
                .retryOnException(DynamoDbClientFactory::isTransactionConflict)
                .build();
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .region(Region.of(configuration.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(Apache5HttpClient.builder()
                        .connectionTimeout(configuration.attemptTimeout())
                        .maxConnections(200))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retries)
                        .apiCallAttemptTimeout(configuration.attemptTimeout())
                        .apiCallTimeout(configuration.callTimeout())
                        .addMetricPublisher(metrics)
                        .build());
        configuration.endpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static boolean isTransactionConflict(Throwable error) {
        return error instanceof TransactionCanceledException cancelled
                && cancelled.hasCancellationReasons()
                && cancelled.cancellationReasons().stream()
                        .anyMatch(reason -> "TransactionConflict".equals(reason.code()));
    }
}
