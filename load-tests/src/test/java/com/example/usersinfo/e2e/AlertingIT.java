package com.example.usersinfo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.example.usersinfo.environment.cluster.KindCluster;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's alerts, proven on the kind cluster with the real pieces: the service deployed by the chart
 * (scripts/deploy-kind.sh), the cluster's Prometheus evaluating the chart's own rules, the cluster's Alertmanager
 * with the project's configuration (infra-eks/addons/prometheus), and its notifications received by
 * {@link AlertSink}. Three phases share one monitoring history, in this order (see docs/alerting.md, "Proven end
 * to end"):
 * <ol>
 *   <li>normal load (k6 average.js) with one restart of a serving pod: no notification at all;</li>
 *   <li>a rollout whose pod crash-loops: UsersInfoRestartingTooOften reaches the chat receiver;</li>
 *   <li>DynamoDB unreachable for the pods under load: UsersInfoAvailabilityBurnRate (critical, the fast-burn
 *       pair) pages within its budget, read from the loaded rules and Alertmanager's configuration; after
 *       healing, its resolved notification arrives within the budget of its short window.</li>
 * </ol>
 * Phase 3's fault starts during phase 2, once the crash-looping pod has restarted over the rule's threshold, when
 * the budgets show that no page can fire (and inhibit the warning) before phase 2's notification is sent; phase 3
 * then rolls phase 2's rollout back after healing. Run alone, phase 3 starts its own fault.
 * Prometheus and Alertmanager start without history (see {@link AlertingStack#reset}); every fault is healed
 * in a finally block; the report (E2eReport section 40-alerting) gets the timings and a timeline of alert states.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(KindDiagnostics.class)
class AlertingIT {

    static final String PAGE = "UsersInfoAvailabilityBurnRate";
    static final String RESTARTS = "UsersInfoRestartingTooOften";
    /** The SLO alerts: symptoms users feel, which normal load must not even bring to pending. */
    private static final Set<String> SLO_ALERTS = Set.of(PAGE, "UsersInfoLatencyBurnRate");
    /** The page's fast-burn rule (1 h and 5 min windows): the one that resolves within minutes of healing. */
    private static final Map<String, String> FAST_BURN = Map.of("severity", "critical", "long_window", "1h");
    private static final Map<String, String> WARNING = Map.of("severity", "warning");
    private static final String CONTAINER = "users-info";
    /** Delivery and clock skew between Prometheus, Alertmanager and this JVM, on top of each computed budget. */
    private static final Duration MARGIN = Duration.ofSeconds(15);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
    /** A setting that fails the service's startup check (SettingsCheck): the rollout's pod exits at once. */
    private static final String BAD_SETTING = "-Dusers-info.dynamodb.call-timeout=soon";
    private static final Pattern THRESHOLD = Pattern.compile(">\\s*([0-9.]+)\\s*$");

    private final E2eReport.Section report = E2eReport.section("40-alerting",
            "Alerting end to end: no false page, crash loop, DynamoDB unreachable");
    private final Timeline timeline = new Timeline("phase", "ready_pods", "max_restarts", "error_ratio_5m",
            "error_ratio_1h", "page", "restarts_alert", "notifications");
    private final List<E2eReport.Marker> markers = new ArrayList<>();
    private KubernetesClient kubernetes;
    private AlertSink sink;
    private ScheduledExecutorService sampler;
    private Instant start;
    private volatile String phase = "setup";
    private Duration scrapeInterval;
    private AlertingStack.Rule page;
    private AlertingStack.Route pager;
    /** Fault → the page's notification (computed in {@link #environment()}). */
    private Duration pageBudget;
    /** The page's short window: the fast pair holds until the fault's errors have left it. */
    private Duration shortWindow;
    /** Healed → the fast pair's resolved notification. */
    private Duration resolveBudget;
    /** Phase 3's load and fault; phase 2 starts them when it safely can (see there), else phase 3 does. */
    private K6Load outageLoad;
    private DynamoDbPartition partition;
    private Instant fault;
    /** Phase 2's crash-looping rollout outlived phase 2 (the fault had started): phase 3 rolls it back. */
    private boolean rolloutToRestore;

    @BeforeAll
    void environment() throws Exception {
        KindDeployment.deploy();
        kubernetes = KindCluster.connect();
        if (DynamoDbPartition.healLeftover()) {
            System.out.println("healed a DynamoDB partition an earlier run left behind (" + DynamoDbPartition.TABLE + ")");
        }
        Instant reset = Instant.now();
        AlertingStack.reset(kubernetes);
        report.figure("monitoring reset (Prometheus and Alertmanager restarted empty)", E2eReport.seconds(since(reset)));
        scrapeInterval = AlertingStack.scrapeInterval();
        page = AlertingStack.rule(PAGE, FAST_BURN);
        pager = AlertingStack.route(page.labels());
        // The first failed requests are scraped twice before rate() sees them (a new 5xx series), the next
        // evaluation makes the alert pending, `for` makes it fire, group_wait lets Alertmanager send.
        pageBudget = scrapeInterval.multipliedBy(2).plus(page.evaluationInterval()).plus(page.pendingFor())
                .plus(pager.groupWait()).plus(MARGIN);
        // After healing the fast pair holds until the fault's errors leave its short window; two scrapes bring the
        // clean samples, an evaluation ends the alert, and Alertmanager sends the changed group at its next
        // group_interval.
        shortWindow = AlertingStack.goDuration(page.labels().get("short_window"));
        resolveBudget = shortWindow.plus(scrapeInterval.multipliedBy(2)).plus(page.evaluationInterval())
                .plus(pager.groupInterval()).plus(MARGIN);
        sink = AlertSink.start(kubernetes);
        start = Instant.now();
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "alerting-timeline");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::sample, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    @AfterAll
    void cleanUp() throws Exception {
        try {
            if (partition != null) {
                partition.close();
            }
            if (outageLoad != null) {
                outageLoad.close();
            }
            if (rolloutToRestore) {
                restoreRollout();
            }
        } finally {
            writeReport();
        }
    }

    private void writeReport() {
        try {
            if (sampler != null) {
                sampler.shutdownNow();
            }
            if (sink != null) {
                report.text("Notifications received, in order:\n\n" + (sink.notifications().isEmpty() ? "none"
                        : sink.notifications().stream().map(n -> "- `" + n + "`").collect(Collectors.joining("\n"))));
                report.timeline("timeline", timeline, "phase, ready pods, most restarts of a pod, error ratios (5 m, 1 h), "
                        + "states of the page and of the restarts alert in Prometheus, notifications received");
                report.plot("alert-states", "Error ratio and restarts against the phases (markers)", timeline, markers,
                        E2eReport.Panel.of("SLI error ratio", "ratio", "error_ratio_5m", "error_ratio_1h"),
                        E2eReport.Panel.of("pods", "count", "ready_pods", "max_restarts", "notifications"));
                report.write();
            }
        } finally {
            if (sink != null) {
                sink.close();
            }
        }
    }

    @Test
    @Order(1)
    void normalLoadAndOneRestartNotifyNobody() throws Exception {
        AlertingStack.Rule restarts = AlertingStack.rule(RESTARTS, WARNING);
        AlertingStack.Route chat = AlertingStack.route(restarts.labels());
        // A notification caused by this load would arrive within the page's `for` after its condition first
        // held, plus an evaluation and group_wait; the window starts once Prometheus has scraped the load.
        Duration window = page.pendingFor().plus(page.evaluationInterval()).plus(pager.groupWait()).plus(scrapeInterval);
        mark("normal load");
        try (K6Load k6 = K6Load.script("average.js").env("RAMP", "10s").env("DURATION", (window.toSeconds() + 60) + "s")
                .limit(window.plusMinutes(3))) {
            k6.start();
            Thread.sleep(Duration.ofSeconds(15));
            assertThat(k6.running()).as("k6 drives traffic; its output:%n%s", k6.output()).isTrue();
            awaitTrue("Prometheus records the load's requests", Duration.ofMinutes(1),
                    () -> !KindDeployment.query("users_info:http_requests_error_ratio:rate5m{namespace=\""
                            + KindDeployment.NAMESPACE + "\"}").isEmpty());
            Instant windowStart = Instant.now();

            // One restart of a serving pod, as an OOM kill or a crash would do it: the JVM is killed. A scale-in
            // under way (the HPA follows the load) removes the restarting pod first, as the ReplicaSet picks
            // unready pods and those with the most restarts; then another pod is killed, at most twice more.
            mark("JVM killed");
            String name = null;
            Instant killed = null;
            for (int attempt = 1; name == null; attempt++) {
                // The kubelet restarts a container after a back-off that grows with its earlier restarts.
                Pod pod = readyPods().stream().min(Comparator.comparingInt(AlertingIT::restarts))
                        .orElseThrow(() -> new AssertionError("no Ready pod of users-info to restart"));
                String target = pod.getMetadata().getName();
                int before = restarts(pod);
                killed = Instant.now();
                killJvm(pod);
                if (awaitValue("the restart of " + target + " in Prometheus, or the pod removed", Duration.ofMinutes(1),
                        () -> restartCounted(target, before))) {
                    name = target;
                } else if (attempt == 3) {
                    fail("a scale-in removed each of the 3 pods whose JVM was killed before Prometheus saw the restart");
                } else {
                    report.figure("single restart: attempt " + attempt, target + " was removed by a scale-in before "
                            + "Prometheus saw its restart; another pod's JVM is killed");
                }
            }
            Instant seen = Instant.now();
            // Two evaluations of the restarts rule on the restart, then Alertmanager's group_wait.
            Instant quietUntil = latest(windowStart.plus(window), seen.plus(restarts.evaluationInterval().multipliedBy(2))
                    .plus(chat.groupWait()).plus(MARGIN));
            List<AlertingStack.ActiveAlert> seenAlerts = new ArrayList<>();
            Map<String, Integer> pendingSamples = new TreeMap<>();
            // The rule's highest value for the restarted pod, read while the pod exists: a scale-in may delete it
            // before the window ends (the ReplicaSet removes the pod with the most restarts first), and the rule
            // ends with the pod. 0 if it never had one.
            double restartsSeen = 0;
            while (Instant.now().isBefore(quietUntil)) {
                double value = ruleValue(restarts, name);
                if (!Double.isNaN(value)) {
                    restartsSeen = Math.max(restartsSeen, value);
                }
                List<AlertingStack.ActiveAlert> alerts = serviceAlerts();
                seenAlerts.addAll(alerts);
                alerts.stream().filter(alert -> alert.state().equals("pending")).map(AlertingStack.ActiveAlert::name)
                        .distinct().forEach(alertName -> pendingSamples.merge(alertName, 1, Integer::sum));
                Thread.sleep(SAMPLE_EVERY.toMillis());
            }
            report.figure("quiet window under normal load", E2eReport.seconds(Duration.between(windowStart, Instant.now()))
                    + " (budget it covers: for " + page.pendingFor().toSeconds() + " s + evaluation "
                    + page.evaluationInterval().toSeconds() + " s + group_wait " + pager.groupWait().toSeconds()
                    + " s + scrape " + scrapeInterval.toSeconds() + " s)");
            report.figure("single restart: JVM killed → restart in Prometheus", E2eReport.seconds(Duration.between(killed, seen)));
            report.figure("single restart: restarts rule's highest value for the pod", String.format("%.2f (fires above %s)",
                    restartsSeen, threshold(restarts)));
            report.figure("quiet window: alerts seen pending (kept quiet by their `for`)", pendingSamples.isEmpty() ? "none"
                    : pendingSamples.entrySet().stream().map(e -> e.getKey() + " in " + e.getValue() + " samples (every "
                    + SAMPLE_EVERY.toSeconds() + " s)").collect(Collectors.joining(", ")));

            // Cause alerts may go pending under normal load, and their `for` keeps them quiet: a restarted JVM's
            // start-up CPU counts toward the HPA (docs/alerting.md), which can reach its maximum for a minute.
            assertThat(seenAlerts).filteredOn(alert -> SLO_ALERTS.contains(alert.name()))
                    .as("SLO alerts pending or firing in Prometheus during the quiet window").isEmpty();
            assertThat(seenAlerts).filteredOn(alert -> alert.state().equals("firing"))
                    .as("users-info alerts firing in Prometheus during the quiet window").isEmpty();
            assertThat(sink.notifications()).as("notifications during normal load with one restart").isEmpty();
            assertThat(restartsSeen).as("the restarts rule's value for %s (its restarts within 15 min)", name)
                    .isGreaterThan(0.5).isLessThanOrEqualTo(threshold(restarts));
        }
    }

    @Test
    @Order(2)
    void crashLoopingRolloutFiresTheRestartsAlert() throws Exception {
        AlertingStack.Rule restarts = AlertingStack.rule(RESTARTS, WARNING);
        AlertingStack.Route chat = AlertingStack.route(restarts.labels());
        double threshold = threshold(restarts);
        // The rule counts a pod younger than its window exactly, from the pod's creation: it holds once the
        // restart over the threshold has been scraped.
        int overThreshold = (int) threshold + 1;
        // Phase 3's fault may start at that restart when it cannot keep this notification from being sent: a page
        // inhibits the service's warnings, and no critical alert fires before its `for` has passed since the fault,
        // while this notification arrives within its budget of that restart. The overlap shortens the suite
        // (docs/alerting.md, "Why this order").
        Duration notifyBudget = restartNotificationBudget(restarts,
                Collections.max(List.of(chat.groupWait(), chat.groupInterval())));
        Duration earliestPage = AlertingStack.rules(Map.of("severity", "critical")).stream()
                .map(AlertingStack.Rule::pendingFor).min(Comparator.naturalOrder()).orElseThrow();
        boolean faultAtThreshold = notifyBudget.compareTo(earliestPage) < 0;
        mark("crash-looping rollout");
        Instant rollout = Instant.now();
        try {
            helm("upgrade", "users-info", KindDeployment.ROOT.resolve("infra-eks/chart/users-info").toString(),
                    "--namespace", KindDeployment.NAMESPACE, "--reuse-values", "--set-string", "javaToolOptions=" + BAD_SETTING);
            String crashing = awaitValue("the rollout's pod (JAVA_TOOL_OPTIONS=" + BAD_SETTING + ")", Duration.ofMinutes(1),
                    this::crashLoopingPod);
            Map<Integer, Instant> restartTimes = new LinkedHashMap<>();
            Predicate<AlertSink.Notification> fired = n -> n.firing() && n.alertname().equals(RESTARTS)
                    && crashing.equals(n.alert().labels().get("pod"));
            AlertSink.Notification notification = null;
            Instant deadline = rollout.plus(Duration.ofMinutes(6));
            while (notification == null && Instant.now().isBefore(deadline)) {
                Pod pod = kubernetes.pods().inNamespace(KindDeployment.NAMESPACE).withName(crashing).get();
                if (pod != null) {
                    int count = restarts(pod);
                    restartTimes.putIfAbsent(count, Instant.now());
                    if (faultAtThreshold && fault == null && count >= overThreshold) {
                        startOutage();
                    }
                }
                notification = sink.notifications(fired).stream().findFirst().orElse(null);
                Thread.sleep(1000);
            }
            if (notification == null) {
                fail("no %s notification for the crash-looping pod %s within 6 minutes of the rollout; restarts seen at %s; "
                        + "received: %s", RESTARTS, crashing, restartTimes, sink.notifications());
            }
            AlertSink.Notification firing = notification;
            Instant active = firing.alert().startsAt();
            // The restarts the pod had when the rule first held (the kubelet reports a restart within a second).
            int restartsWhenActive = restartTimes.entrySet().stream()
                    .filter(e -> !e.getValue().isAfter(active.plusSeconds(2))).mapToInt(Map.Entry::getKey).max().orElse(0);
            Instant from = restartTimes.get(overThreshold);
            assertThat(from).as("the time %s's restart %d was seen (restarts seen at %s)", crashing, overThreshold, restartTimes)
                    .isNotNull();
            // A group Alertmanager has already notified (another pod's restarts) takes new alerts at its next
            // group_interval; a new group waits group_wait.
            boolean groupNotified = sink.notifications().stream()
                    .anyMatch(n -> n.alertname().equals(RESTARTS) && n.arrivedAt().isBefore(firing.arrivedAt()));
            Duration wait = groupNotified ? chat.groupInterval() : chat.groupWait();
            Duration budget = restartNotificationBudget(restarts, wait);
            report.figure("crash loop: rollout → notification", E2eReport.seconds(Duration.between(rollout, notification.arrivedAt())));
            report.figure("crash loop: restarts when the rule first held", Integer.toString(restartsWhenActive)
                    + " (fires above " + (int) threshold + ", counted from the pod's creation)");
            report.figure("crash loop: restart → notification", E2eReport.seconds(Duration.between(from, notification.arrivedAt()))
                    + " (budget " + budget.toSeconds() + " s: scrape " + scrapeInterval.toSeconds() + " s + evaluation "
                    + restarts.evaluationInterval().toSeconds() + " s + " + (groupNotified ? "group_interval " : "group_wait ")
                    + wait.toSeconds() + " s + margin " + MARGIN.toSeconds() + " s)");
            report.figure("crash loop: restart times (s after rollout)", restartTimes.entrySet().stream()
                    .map(e -> "#" + e.getKey() + " " + Duration.between(rollout, e.getValue()).toSeconds())
                    .collect(Collectors.joining(", ")));
            report.figure("crash loop: phase 3's fault started", fault == null ? "after this phase (the notification's "
                    + "budget " + notifyBudget.toSeconds() + " s is not under the shortest `for` of a critical rule, "
                    + earliestPage.toSeconds() + " s)" : E2eReport.seconds(Duration.between(rollout, fault)) + " after the rollout, at restart "
                    + overThreshold + " (the notification's budget " + notifyBudget.toSeconds()
                    + " s < the shortest `for` of a critical rule, " + earliestPage.toSeconds() + " s)");
            mark("restarts notified");

            assertThat(notification.receiver()).as("receiver").isEqualTo(chat.receiver());
            assertThat(notification.alert().labels()).containsEntry("severity", "warning")
                    .containsEntry("namespace", KindDeployment.NAMESPACE).containsEntry("service", "users-info");
            assertAnnotations(notification, RESTARTS);
            assertThat(restartsWhenActive).as("restarts of %s when the rule first held (restart times %s, active %s)",
                    crashing, restartTimes, active).isEqualTo(overThreshold);
            assertThat(Duration.between(from, notification.arrivedAt()))
                    .as("restart %d → notification", overThreshold)
                    .isLessThanOrEqualTo(budget);
        } finally {
            if (fault == null) {
                restoreRollout();
            } else {
                // Pods are not Ready while DynamoDB is unreachable (readiness reads the table), so the rollback,
                // which waits for them, comes after healing.
                rolloutToRestore = true;
            }
        }
    }

    /** Restart scraped → notification: a scrape, an evaluation, Alertmanager's WAIT for the group, the margin. */
    private Duration restartNotificationBudget(AlertingStack.Rule restarts, Duration wait) {
        return scrapeInterval.plus(restarts.evaluationInterval()).plus(wait).plus(MARGIN);
    }

    /** The chart's values again (helm upgrade --wait): the crash-looping ReplicaSet is scaled away. */
    private void restoreRollout() throws Exception {
        KindDeployment.deploy();
        rolloutToRestore = false;
        mark("rollout restored");
    }

    /** The crash-looping rollout's pod (the bad setting in its JAVA_TOOL_OPTIONS), null before it exists. */
    private String crashLoopingPod() {
        return kubernetes.pods().inNamespace(KindDeployment.NAMESPACE).withLabel("app.kubernetes.io/instance", KindDeployment.RELEASE)
                .list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getSpec().getContainers().stream()
                        .filter(container -> container.getName().equals(CONTAINER))
                        .flatMap(container -> container.getEnv().stream())
                        .anyMatch(env -> env.getName().equals("JAVA_TOOL_OPTIONS") && BAD_SETTING.equals(env.getValue())))
                .map(pod -> pod.getMetadata().getName()).findFirst().orElse(null);
    }

    /**
     * Phase 3's fault under load: k6 average.js ramps up, then DynamoDB is cut off from the pods. k6 keeps driving
     * traffic until the page can have resolved after healing.
     */
    private void startOutage() throws Exception {
        // Phase 2's attempt, when k6 failed there before the cut: phase 3 tries again with a new run.
        if (outageLoad != null) {
            outageLoad.close();
        }
        Duration ramp = Duration.ofSeconds(10);
        Duration load = pageBudget.plus(resolveBudget).plusSeconds(60);
        outageLoad = K6Load.script("average.js").env("RAMP", ramp.toSeconds() + "s").env("DURATION", load.toSeconds() + "s")
                .limit(load.plusMinutes(3));
        outageLoad.start();
        // The fault once k6 has ramped up to its VUs.
        Thread.sleep(ramp);
        assertThat(outageLoad.running()).as("k6 drives traffic before the fault; its output:%n%s", outageLoad.output()).isTrue();
        mark("DynamoDB unreachable");
        Instant cut = Instant.now();
        partition = DynamoDbPartition.start();
        fault = cut;
    }

    @Test
    @Order(3)
    void dynamoDbUnreachableUnderLoadPagesWithinItsBudgetAndResolvesAfterHealing() throws Exception {
        if (fault == null) {
            startOutage();
        }
        long dropped;
        // The outage lasts until Prometheus fires the page's first window pair: Alertmanager delivers the page
        // group_wait later, after the outage, and the fast pair, pending by then, keeps holding on the errors
        // in its windows and fires too. Healed at delivery instead, the fast pair resolved just before or
        // just after the group's fifth group_interval tick, a minute apart (docs/alerting.md).
        try {
            awaitTrue("the page (" + PAGE + ") firing in Prometheus", pageBudget.plusMinutes(2), () -> serviceAlerts().stream()
                    .anyMatch(alert -> alert.name().equals(PAGE) && alert.state().equals("firing")));
            dropped = partition.droppedPackets();
            report.figure("fault", "DynamoDB Local unreachable for pods: " + partition.describe() + ", "
                    + dropped + " packets dropped");
        } finally {
            partition.close();
        }
        Instant healed = Instant.now();
        mark("healed");
        report.figure("DynamoDB unreachable → page firing in Prometheus (healed then)",
                E2eReport.seconds(Duration.between(fault, healed)));
        awaitTrue("the service answers again after healing", Duration.ofMinutes(2), () -> readyPods().size() > 0
                && KindDeployment.send(java.net.http.HttpRequest.newBuilder(KindDeployment.SERVICE.resolve("/users?limit=1")).GET())
                .statusCode() == 200);
        report.figure("healed → service answers again", E2eReport.seconds(since(healed)));
        if (rolloutToRestore) {
            restoreRollout();
        }
        // The page is its first window pair to arrive: in a history younger than 6 h the slow pair can fire an
        // evaluation before the fast one, which then arrives at the group's next group_interval.
        AlertSink.Notification notification = awaitValue("the page (" + PAGE + ", firing) at the sink", pageBudget.plusMinutes(2),
                () -> sink.notifications(n -> n.firing() && n.alertname().equals(PAGE)).stream().findFirst().orElse(null));
        report.figure("DynamoDB unreachable → page received", E2eReport.seconds(Duration.between(fault, notification.arrivedAt()))
                + " (budget " + pageBudget.toSeconds() + " s: 2 scrapes " + scrapeInterval.toSeconds() + " s + evaluation "
                + page.evaluationInterval().toSeconds() + " s + for " + page.pendingFor().toSeconds() + " s + group_wait "
                + pager.groupWait().toSeconds() + " s + margin " + MARGIN.toSeconds() + " s)");

        assertThat(notification.receiver()).as("receiver").isEqualTo(pager.receiver());
        assertThat(notification.alert().labels()).containsEntry("severity", "critical")
                .containsEntry("namespace", KindDeployment.NAMESPACE).containsEntry("service", "users-info");
        assertAnnotations(notification, PAGE);
        assertThat(Duration.between(fault, notification.arrivedAt())).as("fault → page").isLessThanOrEqualTo(pageBudget);
        assertThat(dropped).as("packets the partition dropped (the service did try DynamoDB)").isPositive();

        AlertSink.Notification resolved = awaitValue("the fast-burn page resolved at the sink", resolveBudget.plusMinutes(2),
                () -> sink.notifications(n -> n.resolved() && isFastBurnPage(n)).stream().findFirst().orElse(null));
        mark("page resolved");
        report.figure("healed → fast-burn page resolved", E2eReport.seconds(Duration.between(healed, resolved.arrivedAt()))
                + " (budget " + resolveBudget.toSeconds() + " s: short window " + shortWindow.toSeconds() + " s + 2 scrapes "
                + scrapeInterval.toSeconds() + " s + evaluation " + page.evaluationInterval().toSeconds()
                + " s + group_interval " + pager.groupInterval().toSeconds() + " s + margin " + MARGIN.toSeconds() + " s)");

        report.figure("page: window pairs firing", sink.notifications(n -> n.firing() && n.alertname().equals(PAGE)).stream()
                .map(n -> n.alert().labels().get("long_window") + "/" + n.alert().labels().get("short_window"))
                .distinct().collect(Collectors.joining(", ")));

        assertThat(sink.notifications(n -> n.firing() && isFastBurnPage(n))).as("the fast pair's firing notification")
                .isNotEmpty();
        assertThat(resolved.receiver()).as("receiver of the resolved notification").isEqualTo(pager.receiver());
        assertThat(Duration.between(healed, resolved.arrivedAt())).as("healed → resolved").isLessThanOrEqualTo(resolveBudget);
        assertThat(outageLoad.running()).as("k6 still drives traffic when the page resolves; its output:%n%s", outageLoad.output()).isTrue();
    }

    private static boolean isFastBurnPage(AlertSink.Notification notification) {
        return notification.alertname().equals(PAGE)
                && notification.alert().labels().entrySet().containsAll(FAST_BURN.entrySet());
    }

    private static void assertAnnotations(AlertSink.Notification notification, String alert) {
        assertThat(notification.alert().annotations().get("summary")).as("summary").isNotBlank();
        assertThat(notification.alert().annotations().get("description")).as("description").isNotBlank();
        assertThat(notification.alert().annotations().get("runbook_url")).as("runbook_url").endsWith("/" + alert + ".md");
        assertThat(KindDeployment.ROOT.resolve("docs/runbooks/" + alert + ".md")).as("the runbook").isRegularFile();
    }

    /** The restart count above which the rule fires, read from its expression ({@code … > 3}). */
    private static double threshold(AlertingStack.Rule rule) {
        Matcher threshold = THRESHOLD.matcher(rule.query().strip());
        if (!threshold.find()) {
            fail("cannot read the threshold of %s from its expression: %s", rule.name(), rule.query());
        }
        return Double.parseDouble(threshold.group(1));
    }

    private List<Pod> readyPods() {
        return kubernetes.pods().inNamespace(KindDeployment.NAMESPACE).withLabel("app.kubernetes.io/instance", "users-info")
                .list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus().getContainerStatuses()
                        .stream().anyMatch(status -> status.getName().equals(CONTAINER) && Boolean.TRUE.equals(status.getReady())))
                .toList();
    }

    /** TRUE once Prometheus counts more than {@code before} restarts of the pod, FALSE once it is being removed. */
    private Boolean restartCounted(String pod, int before) throws Exception {
        if (value("kube_pod_container_status_restarts_total{namespace=\"" + KindDeployment.NAMESPACE + "\", pod=\""
                + pod + "\", container=\"" + CONTAINER + "\"}") > before) {
            return Boolean.TRUE;
        }
        Pod current = kubernetes.pods().inNamespace(KindDeployment.NAMESPACE).withName(pod).get();
        return current == null || current.getMetadata().getDeletionTimestamp() != null ? Boolean.FALSE : null;
    }

    private static int restarts(Pod pod) {
        return pod.getStatus().getContainerStatuses().stream().filter(status -> status.getName().equals(CONTAINER))
                .mapToInt(ContainerStatus::getRestartCount).findFirst().orElse(0);
    }

    /** SIGKILL to the container's main process (the JVM), through the node's containerd. */
    private static void killJvm(Pod pod) {
        String id = pod.getStatus().getContainerStatuses().stream().filter(status -> status.getName().equals(CONTAINER))
                .map(ContainerStatus::getContainerID).findFirst().orElseThrow().replaceFirst("^containerd://", "");
        KindCluster.run(List.of("docker", "exec", KindCluster.NODE, "ctr", "-n", "k8s.io", "tasks", "kill", "--signal",
                "SIGKILL", id), Duration.ofSeconds(20));
    }

    private static void helm(String... arguments) {
        List<String> command = new ArrayList<>(List.of(KindCluster.tool("helm").toString(), "--kubeconfig",
                KindDeployment.ROOT.resolve(".local/kubeconfig").toString()));
        command.addAll(List.of(arguments));
        KindCluster.run(command, Duration.ofMinutes(2));
    }

    /** The users-info alerts Prometheus has pending or firing. */
    private static List<AlertingStack.ActiveAlert> serviceAlerts() throws Exception {
        return AlertingStack.alerts().stream()
                .filter(alert -> KindDeployment.NAMESPACE.equals(alert.labels().get("namespace"))
                        || alert.name().startsWith("UsersInfo"))
                .toList();
    }

    /** The first value of an instant query, NaN when it has none. */
    private static double value(String promql) throws Exception {
        JsonNode result = KindDeployment.query(promql);
        return result.isEmpty() ? Double.NaN : result.get(0).path("value").path(1).asDouble(Double.NaN);
    }

    /** The value of RULE's expression (without its threshold) for POD, NaN when it has none. */
    private static double ruleValue(AlertingStack.Rule rule, String pod) throws Exception {
        for (JsonNode series : KindDeployment.query(THRESHOLD.matcher(rule.query().strip()).replaceFirst(""))) {
            if (pod.equals(series.path("metric").path("pod").asText())) {
                return series.path("value").path(1).asDouble(Double.NaN);
            }
        }
        return Double.NaN;
    }

    private void sample() {
        try {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("phase", phase);
            List<Pod> pods = kubernetes.pods().inNamespace(KindDeployment.NAMESPACE)
                    .withLabel("app.kubernetes.io/instance", "users-info").list().getItems();
            row.put("ready_pods", readyPods().size());
            row.put("max_restarts", pods.stream().mapToInt(AlertingIT::restarts).max().orElse(0));
            row.put("error_ratio_5m", value("users_info:http_requests_error_ratio:rate5m{namespace=\"" + KindDeployment.NAMESPACE + "\"}"));
            row.put("error_ratio_1h", value("users_info:http_requests_error_ratio:rate1h{namespace=\"" + KindDeployment.NAMESPACE + "\"}"));
            List<AlertingStack.ActiveAlert> alerts = serviceAlerts();
            row.put("page", state(alerts, PAGE, "critical"));
            row.put("restarts_alert", state(alerts, RESTARTS, "warning"));
            row.put("notifications", sink.notifications().size());
            timeline.add(since(start).toMillis() / 1000.0, row);
        } catch (Exception | AssertionError e) {
            // A missed sample is a gap in the timeline, not a failure: the assertions read their own values.
            System.out.println("alerting timeline: sample failed: " + e);
        }
    }

    private static String state(List<AlertingStack.ActiveAlert> alerts, String name, String severity) {
        return alerts.stream().filter(a -> a.name().equals(name) && severity.equals(a.labels().get("severity")))
                .map(AlertingStack.ActiveAlert::state).sorted().reduce((a, b) -> b).orElse("inactive");
    }

    private void mark(String label) {
        phase = label;
        markers.add(new E2eReport.Marker(since(start).toMillis() / 1000.0, label));
    }

    private static Duration since(Instant instant) {
        return Duration.between(instant, Instant.now());
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T awaitValue(String what, Duration timeout, Probe<T> probe) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            if (Instant.now().isAfter(deadline)) {
                fail("%s: not within %s", what, timeout);
            }
            Thread.sleep(1000);
        }
    }

    private static void awaitTrue(String what, Duration timeout, Probe<Boolean> probe) throws Exception {
        awaitValue(what, timeout, () -> probe.get() ? Boolean.TRUE : null);
    }
}
