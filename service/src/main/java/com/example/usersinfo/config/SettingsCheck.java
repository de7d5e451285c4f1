package com.example.usersinfo.config;

import io.micronaut.context.BeanContext;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.convert.ConversionContext;
import io.micronaut.core.naming.NameUtils;
import io.micronaut.core.type.Argument;
import io.micronaut.inject.BeanDefinition;
import io.micronaut.inject.qualifiers.Qualifiers;
import java.util.Optional;

/**
 * Fails startup when a {@code users-info.*} setting is present but does not convert to its type. Micronaut
 * binds an unconvertible value (e.g. {@code call-timeout=soon}) as if the setting were absent, which would
 * silently run production on a default; this turns that into the one-line error of {@link StartupFailure}.
 * Range and format rules stay on the configuration records as Jakarta constraints.
 */
@Context
final class SettingsCheck {

    SettingsCheck(BeanContext beans, Environment environment) {
        for (BeanDefinition<?> definition : beans.getBeanDefinitions(
                Qualifiers.byStereotype(ConfigurationProperties.class))) {
            if (!definition.getBeanType().getPackageName().startsWith(SettingsCheck.class.getPackageName())) {
                continue;
            }
            String prefix = definition.stringValue(ConfigurationProperties.class).orElseThrow();
            for (Argument<?> argument : definition.getConstructor().getArguments()) {
                check(environment, prefix + "." + NameUtils.hyphenate(argument.getName()), argument);
            }
        }
    }

    private static void check(Environment environment, String name, Argument<?> argument) {
        Optional<String> raw = environment.getProperty(name, String.class);
        if (raw.isEmpty()) {
            return;
        }
        ArgumentConversionContext<?> conversion = ConversionContext.of(argument);
        if (environment.getProperty(name, conversion).isEmpty()) {
            throw new ConfigurationException(name + "=" + raw.get() + ": must be " + ExpectedValue.of(argument.getType()));
        }
    }
}
