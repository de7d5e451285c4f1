package com.example.usersinfo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Records every log event of this JVM while open, as the production JSON encoder would see it. The loggers
 * named on opening log at INFO meanwhile (the access log is off by default), and get their level back after.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> enabled;
    private final List<Level> levels;

    public LogCapture(String... loggersToEnable) {
        enabled = List.of(loggersToEnable).stream().map(name -> (Logger) LoggerFactory.getLogger(name)).toList();
        levels = enabled.stream().map(Logger::getLevel).toList();
        enabled.forEach(logger -> logger.setLevel(Level.INFO));
        appender.start();
        root.addAppender(appender);
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        for (int i = 0; i < enabled.size(); i++) {
            enabled.get(i).setLevel(levels.get(i));
        }
    }
}
