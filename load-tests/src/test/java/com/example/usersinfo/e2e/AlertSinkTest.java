package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the alert sink reads Alertmanager's webhook body (format version 4, as Alertmanager 0.25 sends it) and how
 * the alerting tests read Alertmanager's durations, without a cluster. AlertingIT receives the real ones.
 */
class AlertSinkTest {

    private static final Instant ARRIVED = Instant.parse("2026-11-23T16:00:00Z");

    @Test
    void readsEveryAlertOfANotificationWithItsReceiverAndArrival() throws IOException {
        String body = """
                {"receiver":"pager","status":"firing","alerts":[
                  {"status":"firing","labels":{"alertname":"UsersInfoAvailabilityBurnRate","namespace":"users-info",
                   "service":"users-info","severity":"critical"},
                   "annotations":{"summary":"users-info is failing requests","description":"12% of requests",
                   "runbook_url":"https://example.com/docs/runbooks/UsersInfoAvailabilityBurnRate.md"},
                   "startsAt":"2026-11-23T15:58:29.045Z","endsAt":"0001-01-01T00:00:00Z",
                   "generatorURL":"http://prometheus/graph","fingerprint":"a1b2c3"},
                  {"status":"resolved","labels":{"alertname":"UsersInfoAvailabilityBurnRate","severity":"critical"},
                   "annotations":{},"startsAt":"2026-11-23T15:00:00Z","endsAt":"2026-11-23T15:30:00.5Z",
                   "generatorURL":"","fingerprint":"d4e5f6"}],
                 "groupLabels":{"alertname":"UsersInfoAvailabilityBurnRate"},"commonLabels":{},"commonAnnotations":{},
                 "externalURL":"http://alertmanager:9093","version":"4",
                 "groupKey":"{}/{severity=\\"critical\\"}:{alertname=\\"UsersInfoAvailabilityBurnRate\\"}","truncatedAlerts":0}
                """;

        List<AlertSink.Notification> notifications = AlertSink.parse("pager", ARRIVED, body.getBytes(StandardCharsets.UTF_8));

        assertThat(notifications).hasSize(2);
        AlertSink.Notification firing = notifications.getFirst();
        assertThat(firing.receiver()).isEqualTo("pager");
        assertThat(firing.arrivedAt()).isEqualTo(ARRIVED);
        assertThat(firing.firing()).isTrue();
        assertThat(firing.alertname()).isEqualTo("UsersInfoAvailabilityBurnRate");
        assertThat(firing.alert().labels()).containsEntry("severity", "critical").containsEntry("namespace", "users-info");
        assertThat(firing.alert().annotations()).containsKeys("summary", "description", "runbook_url");
        assertThat(firing.alert().startsAt()).isEqualTo(Instant.parse("2026-11-23T15:58:29.045Z"));
        assertThat(notifications.get(1).resolved()).isTrue();
        assertThat(notifications.get(1).alert().endsAt()).isEqualTo(Instant.parse("2026-11-23T15:30:00.5Z"));
    }

    @Test
    void rejectsABodyThatIsNotWebhookFormat4() {
        assertThatThrownBy(() -> AlertSink.parse("chat", ARRIVED, "{\"version\":\"3\",\"groupKey\":\"k\",\"alerts\":[]}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(IOException.class).hasMessageContaining("version 3");
        assertThatThrownBy(() -> AlertSink.parse("chat", ARRIVED, """
                {"version":"4","groupKey":"k","alerts":[{"status":"firing","labels":{},"annotations":{},
                 "startsAt":"2026-11-23T15:58:29Z","fingerprint":"x"}]}""".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("endsAt");
    }

    @Test
    void readsPrometheusDurations() {
        assertThat(AlertingStack.goDuration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(AlertingStack.goDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(AlertingStack.goDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> AlertingStack.goDuration("5 minutes")).isInstanceOf(IllegalArgumentException.class);
    }
}
