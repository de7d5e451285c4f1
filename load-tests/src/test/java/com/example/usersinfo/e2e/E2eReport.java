package com.example.usersinfo.e2e;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The e2e report, {@code load-tests/target/e2e-report/}: {@code summary.md} with one section per test (figures,
 * text, links to CSV timelines, PNG plots drawn with XChart). Each section is also kept as its own file under
 * {@code sections/} and the summary is rebuilt from all of them whenever one is written, so tests in separate
 * JVMs (or runs with {@code -Dit.test=…}) add to the same report, a failing test still leaves what it measured,
 * and each section states when it was written ({@code mvn clean} starts afresh).
 *
 * <pre>{@code
 * E2eReport.Section section = E2eReport.section("autoscaling", "Autoscaling under a password-verify ramp");
 * section.figure("peak replicas", "4").text("…").timeline("timeline", timeline, "replicas, CPU, rps, p95")
 *        .plot("replicas-load-latency", "…", timeline, markers, panel1, panel2).write();
 * }</pre>
 */
final class E2eReport {

    static final Path DIR = KindDeployment.ROOT.resolve("load-tests/target/e2e-report");
    private static final Path SECTIONS = DIR.resolve("sections");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final int WIDTH = 1100;
    private static final int PANEL_HEIGHT = 300;

    private E2eReport() {
    }

    /** A section of the report; ID (lower case, digits, dashes) names its files and orders the summary. */
    static Section section(String id, String title) {
        requireId(id);
        return new Section(id, title);
    }

    /** One plot panel: columns of a timeline against t, an optional horizontal line (a threshold). */
    record Panel(String title, String yAxis, List<String> columns, Double line, String lineLabel) {

        static Panel of(String title, String yAxis, String... columns) {
            return new Panel(title, yAxis, List.of(columns), null, null);
        }

        Panel withLine(double value, String label) {
            return new Panel(title, yAxis, columns, value, label);
        }
    }

    private record Table(List<String> header, List<List<String>> rows) {

        @Override
        public String toString() {
            StringBuilder md = new StringBuilder(line(header)).append("\n|");
            header.forEach(h -> md.append("---|"));
            rows.forEach(row -> md.append('\n').append(line(row)));
            return md.toString();
        }

        private static String line(List<String> cells) {
            return "| " + String.join(" | ", cells.stream().map(c -> c.replace("|", "\\|")).toList()) + " |";
        }
    }

    /** A vertical line at t (seconds) across every panel of a plot, labelled (load start, scale-out…). */
    record Marker(double t, String label) {
    }

    static final class Section {

        private final String id;
        private final String title;
        private final Map<String, String> figures = new LinkedHashMap<>();
        // Markdown strings and tables, in the order added.
        private final List<Object> parts = new ArrayList<>();
        private final Map<String, Table> tables = new LinkedHashMap<>();

        private Section(String id, String title) {
            this.id = id;
            this.title = title;
        }

        /** A named figure, listed in the section's table in the order added (added again: replaced). */
        Section figure(String name, String value) {
            figures.put(name, value);
            return this;
        }

        /** Markdown text (a paragraph, a list, a table). */
        Section text(String markdown) {
            parts.add(markdown.strip());
            return this;
        }

        /** A table NAME with these column headers, at this place in the section; rows come with {@link #row}. */
        Section table(String name, String... header) {
            Table table = new Table(List.of(header), new ArrayList<>());
            if (tables.putIfAbsent(name, table) != null) {
                throw new IllegalArgumentException("table " + name + " exists in section " + id);
            }
            parts.add(table);
            return this;
        }

        /** A row of table NAME, one cell per header. */
        Section row(String name, String... cells) {
            Table table = tables.get(name);
            if (table == null || table.header().size() != cells.length) {
                throw new IllegalArgumentException("table " + name + " of section " + id + " has columns "
                        + (table == null ? "none" : table.header()) + ", not " + List.of(cells));
            }
            table.rows().add(List.of(cells));
            return this;
        }

        /** Writes the timeline to {@code <id>-<name>.csv} and links it. */
        Section timeline(String name, Timeline timeline, String caption) {
            requireId(name);
            String file = id + "-" + name + ".csv";
            timeline.writeCsv(DIR.resolve(file));
            parts.add("Timeline (CSV, " + timeline.rows().size() + " samples): [" + file + "](" + file + ") — " + caption);
            return this;
        }

        /**
         * Draws panels of the timeline stacked over a shared time axis into {@code <id>-<name>.png} and shows
         * it. Columns with no number at all are left out of their panel (named in the caption instead).
         */
        Section plot(String name, String caption, Timeline timeline, List<Marker> markers, Panel... panels) {
            return plot(name, caption, "seconds since load start", timeline, markers, panels);
        }

        /** As above, with the time axis titled X_AXIS (what t = 0 is). */
        Section plot(String name, String caption, String xAxis, Timeline timeline, List<Marker> markers, Panel... panels) {
            requireId(name);
            String file = id + "-" + name + ".png";
            List<String> empty = new ArrayList<>();
            List<XYChart> charts = new ArrayList<>();
            for (Panel panel : panels) {
                charts.add(chart(panel, xAxis, timeline, markers, empty));
            }
            try {
                Files.createDirectories(DIR);
                BitmapEncoder.saveBitmap(charts, charts.size(), 1, DIR.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + DIR.resolve(file), e);
            }
            parts.add("![" + caption + "](" + file + ")\n\n" + caption
                    + (empty.isEmpty() ? "" : " (no samples of " + String.join(", ", empty) + ")"));
            return this;
        }

        /** Writes the section and rebuilds summary.md; call it whenever there is something worth keeping. */
        synchronized Section write() {
            StringBuilder md = new StringBuilder("## ").append(title).append("\n\n_Written ")
                    .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append("._\n\n");
            if (!figures.isEmpty()) {
                md.append("| figure | value |\n|---|---|\n");
                figures.forEach((name, value) -> md.append("| ").append(name).append(" | ").append(value).append(" |\n"));
                md.append('\n');
            }
            parts.forEach(part -> md.append(part).append("\n\n"));
            try {
                Files.createDirectories(SECTIONS);
                Files.writeString(SECTIONS.resolve(id + ".md"), md, StandardCharsets.UTF_8);
                rebuildSummary();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the e2e report in " + DIR, e);
            }
            return this;
        }
    }

    private static void rebuildSummary() throws IOException {
        StringBuilder summary = new StringBuilder("""
                # users-info end-to-end report

                What the e2e tests of load-tests measured on the kind cluster (docs/load-tests.md says how they run).
                One section per test, each dated: a section from an earlier run stays until `mvn clean`.

                """);
        try (Stream<Path> files = Files.list(SECTIONS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                summary.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        Files.writeString(DIR.resolve("summary.md"), summary, StandardCharsets.UTF_8);
    }

    private static XYChart chart(Panel panel, String xAxis, Timeline timeline, List<Marker> markers, List<String> empty) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(panel.title())
                .xAxisTitle(xAxis).yAxisTitle(panel.yAxis()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE)
                .setPlotContentSize(0.95).setMarkerSize(3);
        chart.getStyler().setXAxisDecimalPattern("0").setYAxisMin(0.0);
        double[] t = timeline.times();
        double top = 0;
        for (String column : panel.columns()) {
            double[] values = timeline.numbers(column);
            double max = Arrays.stream(values).filter(Double::isFinite).max().orElse(Double.NaN);
            if (Double.isNaN(max) || t.length == 0) {
                empty.add(column);
                continue;
            }
            top = Math.max(top, max);
            chart.addSeries(column, t, values).setMarker(SeriesMarkers.CIRCLE);
        }
        if (panel.line() != null && t.length > 0) {
            XYSeries line = chart.addSeries(panel.lineLabel(), new double[] {t[0], t[t.length - 1]},
                    new double[] {panel.line(), panel.line()});
            line.setMarker(SeriesMarkers.NONE).setLineColor(Color.RED)
                    .setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            top = Math.max(top, panel.line());
        }
        if (chart.getSeriesCollection().isEmpty()) {
            // XChart draws no axes without a series: an empty panel still shows the time axis.
            chart.addSeries("no samples", new double[] {t.length > 0 ? t[0] : 0, t.length > 0 ? t[t.length - 1] : 1},
                    new double[] {0, 0}).setMarker(SeriesMarkers.NONE).setLineColor(Color.LIGHT_GRAY);
        }
        double labelY = top > 0 ? top * 1.05 : 1;
        chart.getStyler().setYAxisMax(labelY * 1.1);
        for (int i = 0; i < markers.size(); i++) {
            Marker marker = markers.get(i);
            chart.addAnnotation(new AnnotationLine(marker.t(), true, false));
            // Labels of markers close in time would overlap: every other one sits lower.
            chart.addAnnotation(new AnnotationText(marker.label(), marker.t(), labelY * (i % 2 == 0 ? 1.04 : 0.92), false));
        }
        return chart;
    }

    /** Seconds with one decimal, e.g. "41.3 s"; "–" for a measurement that did not happen. */
    static String seconds(Duration duration) {
        return duration == null ? "–" : String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** Milliseconds with one decimal, e.g. "212.4 ms"; "–" for NaN. */
    static String millis(double ms) {
        return Double.isNaN(ms) ? "–" : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    /** A share as a percentage with two decimals, e.g. "0.00 %". */
    static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.2f %%", ratio * 100);
    }

    private static void requireId(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("report names are lower case, digits and dashes: " + id);
        }
    }
}
