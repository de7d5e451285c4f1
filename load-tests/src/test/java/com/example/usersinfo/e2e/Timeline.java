package com.example.usersinfo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Values sampled over time for the e2e report: {@code t} (seconds since the run's reference instant, e.g. load
 * start) and named columns, numbers or text (an alert's state). Written as CSV and drawn by {@link E2eReport}.
 * Samplers add rows from their own thread while the test reads: every method is synchronized.
 */
final class Timeline {

    /** One sample: its time and a value per column (absent or null when it could not be read). */
    record Row(double t, Map<String, Object> values) {
    }

    private final List<String> columns;
    private final List<Row> rows = new ArrayList<>();

    Timeline(String... columns) {
        this.columns = List.of(columns);
    }

    List<String> columns() {
        return columns;
    }

    synchronized void add(double t, Map<String, Object> values) {
        for (String column : values.keySet()) {
            if (!columns.contains(column)) {
                throw new IllegalArgumentException("no column " + column + " in " + columns);
            }
        }
        rows.add(new Row(t, values.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue))));
    }

    /** A copy whose t counts from ZERO seconds of this one (earlier samples get negative t). */
    synchronized Timeline from(double zero) {
        Timeline shifted = new Timeline(columns.toArray(String[]::new));
        rows.forEach(row -> shifted.rows.add(new Row(row.t() - zero, row.values())));
        return shifted;
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The column's numbers, NaN where a row has none (a gap in a plot). */
    synchronized double[] numbers(String column) {
        return rows.stream().mapToDouble(row -> row.values().get(column) instanceof Number n ? n.doubleValue() : Double.NaN)
                .toArray();
    }

    synchronized double[] times() {
        return rows.stream().mapToDouble(Row::t).toArray();
    }

    /** CSV with a header line; numbers with up to three decimals, absent values empty. */
    synchronized void writeCsv(Path file) {
        StringBuilder csv = new StringBuilder("t_seconds");
        columns.forEach(column -> csv.append(',').append(column));
        csv.append('\n');
        for (Row row : rows) {
            csv.append(format(row.t()));
            for (String column : columns) {
                csv.append(',').append(format(row.values().get(column)));
            }
            csv.append('\n');
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String format(Object value) {
        return switch (value) {
            case null -> "";
            case Double d when d.isNaN() -> "";
            case Double d -> String.format(Locale.ROOT, "%.3f", d).replaceAll("\\.?0+$", "");
            case Number n -> n.toString();
            // Text never holds commas or quotes in these reports (states, phase names); quote it anyway.
            default -> "\"" + value.toString().replace("\"", "\"\"") + "\"";
        };
    }
}
