package com.example.usersinfo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * What is needed to debug a failed e2e test on kind, printed to the test's output: the HPA's status and
 * conditions, the namespace's events (HPA and pods), each pod's state and the last lines of its logs (and of
 * the previous container when it restarted), Prometheus's alert state and Alertmanager's status and alerts.
 * Each part is read on its own: one that cannot be read says why and the others still print.
 *
 * <p>Use it as an extension ({@code @ExtendWith(KindDiagnostics.class)}: it prints when a test or a
 * {@code @BeforeAll}/{@code @AfterAll} method throws, then rethrows), or call {@link #print(String)}.
 */
final class KindDiagnostics implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    private static final int LOG_LINES = 40;
    private static final int EVENTS = 40;

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        print(context.getDisplayName() + " failed: " + throwable);
        throw throwable;
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        print(context.getDisplayName() + " @BeforeAll failed: " + throwable);
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        print(context.getDisplayName() + " @BeforeEach failed: " + throwable);
        throw throwable;
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        print(context.getDisplayName() + " @AfterEach failed: " + throwable);
        throw throwable;
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        print(context.getDisplayName() + " @AfterAll failed: " + throwable);
        throw throwable;
    }

    /** Prints the diagnostics under a banner naming WHY, and returns them. */
    static String print(String why) {
        StringBuilder out = new StringBuilder("\n======== diagnostics: ").append(why).append(" ========\n");
        part(out, "HPA " + KindDeployment.RELEASE, KindDiagnostics::hpa);
        part(out, "pods", KindDiagnostics::pods);
        part(out, "events in " + KindDeployment.NAMESPACE + " (oldest first, last " + EVENTS + ")", KindDiagnostics::events);
        part(out, "pod logs (last " + LOG_LINES + " lines)", KindDiagnostics::logs);
        part(out, "Prometheus alerts (" + KindDeployment.PROMETHEUS + "/api/v1/alerts)", KindDiagnostics::prometheusAlerts);
        part(out, "Alertmanager status (" + KindDeployment.ALERTMANAGER + "/api/v2/status)", KindDiagnostics::alertmanagerStatus);
        part(out, "Alertmanager alerts (" + KindDeployment.ALERTMANAGER + "/api/v2/alerts)", KindDiagnostics::alertmanagerAlerts);
        out.append("======== end of diagnostics ========\n");
        System.out.println(out);
        return out.toString();
    }

    private interface Part {
        void append(StringBuilder out) throws Exception;
    }

    private static void part(StringBuilder out, String title, Part part) {
        out.append("--- ").append(title).append('\n');
        try {
            part.append(out);
        } catch (Exception | AssertionError e) {
            out.append("(cannot read: ").append(e).append(")\n");
        }
    }

    private static KubernetesClient client() throws Exception {
        return KindDeployment.kubernetes();
    }

    private static void hpa(StringBuilder out) throws Exception {
        HorizontalPodAutoscaler hpa = client().autoscaling().v2().horizontalPodAutoscalers()
                .inNamespace(KindDeployment.NAMESPACE).withName(KindDeployment.RELEASE).get();
        if (hpa == null) {
            out.append("(no HPA: is the chart deployed? scripts/deploy-kind.sh)\n");
            return;
        }
        out.append("min ").append(hpa.getSpec().getMinReplicas()).append(", max ").append(hpa.getSpec().getMaxReplicas())
                .append(", current ").append(hpa.getStatus().getCurrentReplicas()).append(", desired ")
                .append(hpa.getStatus().getDesiredReplicas()).append(", last scale ").append(hpa.getStatus().getLastScaleTime())
                .append('\n');
        for (var metric : hpa.getStatus().getCurrentMetrics()) {
            JsonNode json = KindDeployment.JSON.valueToTree(metric);
            out.append("metric ").append(json).append('\n');
        }
        hpa.getStatus().getConditions().forEach(condition -> out.append("condition ").append(condition.getType())
                .append('=').append(condition.getStatus()).append(" (").append(condition.getReason()).append("): ")
                .append(condition.getMessage()).append('\n'));
    }

    private static List<Pod> servicePods() throws Exception {
        return client().pods().inNamespace(KindDeployment.NAMESPACE).list().getItems();
    }

    private static void pods(StringBuilder out) throws Exception {
        for (Pod pod : servicePods()) {
            out.append(pod.getMetadata().getName()).append(": ").append(pod.getStatus().getPhase())
                    .append(pod.getMetadata().getDeletionTimestamp() != null ? " (terminating)" : "")
                    .append(", started ").append(pod.getStatus().getStartTime());
            pod.getStatus().getConditions().forEach(c -> out.append(", ").append(c.getType()).append('=').append(c.getStatus()));
            for (ContainerStatus container : pod.getStatus().getContainerStatuses()) {
                out.append(", ").append(container.getName()).append(" restarts ").append(container.getRestartCount());
                if (container.getLastState() != null && container.getLastState().getTerminated() != null) {
                    out.append(", last terminated: ").append(container.getLastState().getTerminated().getReason())
                            .append(" exit ").append(container.getLastState().getTerminated().getExitCode());
                }
                if (container.getState() != null && container.getState().getWaiting() != null) {
                    out.append(", waiting: ").append(container.getState().getWaiting().getReason());
                }
            }
            out.append('\n');
        }
    }

    private static void events(StringBuilder out) throws Exception {
        List<Event> events = client().v1().events().inNamespace(KindDeployment.NAMESPACE).list().getItems().stream()
                .sorted(Comparator.comparing(KindDiagnostics::when, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList();
        for (Event event : events.subList(Math.max(0, events.size() - EVENTS), events.size())) {
            out.append(when(event)).append(' ').append(event.getType()).append(' ')
                    .append(event.getInvolvedObject().getKind()).append('/').append(event.getInvolvedObject().getName())
                    .append(' ').append(event.getReason()).append(": ").append(event.getMessage())
                    .append(event.getCount() != null && event.getCount() > 1 ? " (×" + event.getCount() + ")" : "").append('\n');
        }
    }

    private static String when(Event event) {
        return Objects.requireNonNullElse(event.getLastTimestamp(),
                event.getEventTime() != null ? event.getEventTime().getTime() : event.getFirstTimestamp());
    }

    private static void logs(StringBuilder out) throws Exception {
        for (Pod pod : servicePods()) {
            String name = pod.getMetadata().getName();
            boolean restarted = pod.getStatus().getContainerStatuses().stream().anyMatch(c -> c.getRestartCount() > 0);
            if (restarted) {
                out.append("[").append(name).append(", previous container]\n").append(tail(name, true));
            }
            out.append("[").append(name).append("]\n").append(tail(name, false));
        }
    }

    private static String tail(String pod, boolean previous) {
        try {
            var logs = KindDeployment.kubernetes().pods().inNamespace(KindDeployment.NAMESPACE).withName(pod);
            String text = previous ? logs.terminated().tailingLines(LOG_LINES).getLog() : logs.tailingLines(LOG_LINES).getLog();
            return text.endsWith("\n") ? text : text + "\n";
        } catch (Exception e) {
            return "(no logs: " + e.getMessage() + ")\n";
        }
    }

    private static void prometheusAlerts(StringBuilder out) throws Exception {
        JsonNode alerts = KindDeployment.prometheusApi("/api/v1/alerts").path("alerts");
        if (alerts.isEmpty()) {
            out.append("(none pending or firing)\n");
        }
        for (JsonNode alert : alerts) {
            out.append(alert.path("labels").path("alertname").asText()).append(' ').append(alert.path("state").asText())
                    .append(" since ").append(alert.path("activeAt").asText()).append(" value ")
                    .append(alert.path("value").asText()).append(' ').append(alert.path("labels")).append('\n');
        }
    }

    private static void alertmanagerStatus(StringBuilder out) throws Exception {
        JsonNode status = KindDeployment.alertmanagerApi("/api/v2/status");
        out.append("version ").append(status.path("versionInfo").path("version").asText()).append(", up since ")
                .append(status.path("uptime").asText()).append(", cluster ").append(status.path("cluster").path("status").asText())
                .append('\n');
    }

    private static void alertmanagerAlerts(StringBuilder out) throws Exception {
        JsonNode alerts = KindDeployment.alertmanagerApi("/api/v2/alerts");
        if (alerts.isEmpty()) {
            out.append("(none)\n");
        }
        for (JsonNode alert : alerts) {
            out.append(alert.path("labels").path("alertname").asText()).append(' ').append(alert.path("status").path("state").asText())
                    .append(" since ").append(alert.path("startsAt").asText()).append(" receivers ")
                    .append(alert.path("receivers").findValuesAsText("name")).append('\n');
        }
    }
}
