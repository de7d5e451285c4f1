package com.example.usersinfo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Invalid configuration stops startup with one line naming the setting and what it accepts. */
class StartupFailureTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            users-info.dynamodb.max-attempts   | 0          | users-info.dynamodb.max-attempts: must be greater than or equal to 1
            users-info.dynamodb.region         | mars       | users-info.dynamodb.region: must be an AWS region such as eu-west-1
            users-info.dynamodb.table          | a          | users-info.dynamodb.table: must be 3-255 characters
            users-info.dynamodb.call-timeout   | soon       | users-info.dynamodb.call-timeout=soon: must be a duration such as 500ms, 3s or PT3S
            users-info.password.iterations     | 0          | users-info.password.iterations: must be greater than or equal to 1
            users-info.api.max-page-size       | lots       | users-info.api.max-page-size=lots: must be a whole number
            """)
    void invalidSettingFailsStartupWithOneLineNamingIt(String setting, String value, String expected) {
        Throwable failure = catchThrowable(() -> {
            try (ApplicationContext context = ApplicationContext.builder()
                    .properties(Map.of(setting, value))
                    .eagerInitConfiguration(true)
                    .start()) {
                context.getBean(DynamoDbConfiguration.class);
            }
        });

        assertThat(failure).as("startup must fail for %s=%s", setting, value).isNotNull();
        String line = StartupFailure.describe(failure);
        String variable = setting.replaceAll("[.-]", "_").toUpperCase(java.util.Locale.ROOT);
        assertThat(line).startsWith(expected).contains(variable).doesNotContain("\n");
    }
}
