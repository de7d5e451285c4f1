package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/usersinfo/terratest/emulatortest"
)

// timing is what one alarm took: from the data (or SetAlarmState) to its ALARM notification in the queue, the
// SNS-to-SQS part of that, and from the recovery to its OK notification.
type timing struct {
	after, delivery, recovered time.Duration
}

// alarmsReport collects TestAlarmsOnLocalStack's figures and writes them, whatever the outcome, to
// infra-ecs/target/terratest/ecs-alarms.md.
type alarmsReport struct {
	started                 time.Time
	image, version          string
	keyArn                  string
	firstEvaluation         map[string]time.Duration
	alarmed                 map[string]timing
	forced                  map[string]timing
	windowsUnevaluatedAfter time.Duration
	initialOK               int
	total                   time.Duration
}

func newAlarmsReport(env *emulatortest.Env) *alarmsReport {
	localstack := env.Endpoints.Emulators["localstack"]
	r := &alarmsReport{started: time.Now(), image: localstack.Image, version: "unknown",
		firstEvaluation: map[string]time.Duration{}, alarmed: map[string]timing{}, forced: map[string]timing{}}
	client := http.Client{Timeout: 3 * time.Second}
	if response, err := client.Get(localstack.URL + "/_localstack/info"); err == nil {
		var info struct{ Version string }
		if json.NewDecoder(response.Body).Decode(&info) == nil && info.Version != "" {
			r.version = info.Version
		}
		_ = response.Body.Close()
	}
	return r
}

// seconds formats a measured duration; 0 is "not measured".
func seconds(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

func (r *alarmsReport) markdown(failed bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## ECS alarms on LocalStack (`TestAlarmsOnLocalStack`)\n\n")
	if failed {
		b.WriteString("**The test failed**; the figures are what it measured before (— = not reached). Its output says why.\n\n")
	}
	fmt.Fprintf(&b, "Run %s, LocalStack %s (`%s`). `infra-ecs/modules/alarms` applied on its own; the warnings at %d s × %d "+
		"(production: 300 s × 3); metric data every %s. LocalStack evaluates each metric alarm when it is created and then every "+
		"EvaluationPeriods × Period (%d s here). From the end of the apply to the last OK notification: %s.\n\n",
		r.started.UTC().Format("2006-01-02 15:04 UTC"), r.version, r.image, warningPeriod, warningEvaluationPeriods, seconds(pushEvery),
		warningPeriod*warningEvaluationPeriods, seconds(r.total))
	b.WriteString("| alarm | how it reached the queue | → ALARM in SQS | of which SNS → SQS | → OK in SQS |\n|---|---|---|---|---|\n")
	for _, name := range sortedNames(r.alarmed) {
		m := r.alarmed[name]
		fmt.Fprintf(&b, "| `%s` | evaluated by LocalStack from pushed metric data | %s after the first breaching datapoint | %s | %s after the first healthy datapoint |\n",
			name, seconds(m.after), seconds(m.delivery), seconds(m.recovered))
	}
	for _, name := range sortedNames(r.forced) {
		m := r.forced[name]
		fmt.Fprintf(&b, "| `%s` | forced with `SetAlarmState` (LocalStack does not evaluate its rule) | %s after SetAlarmState ALARM | — | %s after SetAlarmState OK |\n",
			name, seconds(m.after), seconds(m.recovered))
	}
	b.WriteString("\n### What LocalStack evaluated in this run\n\n")
	for _, name := range sortedNames(r.firstEvaluation) {
		fmt.Fprintf(&b, "- `treat_missing_data = notBreaching`: `%s` went from INSUFFICIENT_DATA to OK %s after its creation (LocalStack's timestamps), with no data at all.\n",
			name, seconds(r.firstEvaluation[name]))
	}
	fmt.Fprintf(&b, "- OK notifications of that first evaluation in the queue: %d (0–2: the subscription and the alarms are created in parallel). "+
		"CloudWatch sends them too: a new alarm with OK actions notifies OK once.\n", r.initialOK)
	b.WriteString("- Alarms on one metric with `statistic` (Maximum, Average) and dimensions: evaluated, ALARM and OK as in the table.\n")
	if r.windowsUnevaluatedAfter > 0 {
		fmt.Fprintf(&b, "- Metric-math alarms (the 4 availability windows) and `extended_statistic` alarms (the 4 latency windows, p85.6/p94): "+
			"**not evaluated**, still INSUFFICIENT_DATA after %s of breaching data.\n", seconds(r.windowsUnevaluatedAfter))
	}
	if len(r.forced) > 0 {
		b.WriteString("- Composite alarms with `(ALARM(a) AND ALARM(b)) OR (…)`: **not evaluated**; with both fast windows set to ALARM they stayed " +
			"INSUFFICIENT_DATA (LocalStack evaluates only `ALARM(\"arn\") OR …`). Their actions were proven by setting the composite itself. " +
			"The window alarms, actions disabled, sent nothing when set to ALARM.\n")
	}
	b.WriteString(`
### What this does not prove

1. **The burn-rate decisions.** The 5xx-ratio expression (FILL, sums, division), the TargetResponseTime percentiles and the
   AND of long and short window in the composite rules are never evaluated: LocalStack community schedules only alarms
   with ` + "`Statistic`" + ` and ` + "`MetricName`" + ` (no ` + "`Metrics`" + `, no ` + "`ExtendedStatistic`" + `), its GetMetricData has no metric math, and it
   evaluates composite rules only of the form ` + "`ALARM(\"arn\") OR …`" + `. Covered instead by ` + "`tests/alarms.tftest.hcl`" + ` (thresholds,
   expression, periods, percentiles, the exact rules, actions) and, for the composites' notification path, by the
   SetAlarmState drill above.
2. **CloudWatch's timing.** LocalStack evaluates an alarm every EvaluationPeriods × Period (900 s at the production
   300 s × 3) and counts breaching datapoints over the last EvaluationPeriods + 2 periods, so it recovers later than
   CloudWatch, which evaluates every minute over the last 3 periods. The figures are LocalStack's at 1/30 of the
   production period; on AWS expect ALARM about 15 min after the condition starts, plus the 1–3 min the load balancer
   and ECS take to publish a minute's metrics.
3. **That AWS publishes these metrics with these dimensions.** The test pushes them itself (AWS refuses PutMetricData
   into ` + "`AWS/`" + ` namespaces). The dimension values come from the stack: ` + "`TestInfraECS`" + ` asserts each warning's dimensions
   equal the arn_suffix of the load balancer and target group and the cluster and service names it created.
4. **Encryption.** LocalStack enforces no key policy. That CloudWatch may use the topic's key (with ` + "`alias/aws/sns`" + `
   every notification fails on AWS) is asserted by the plan test ` + "`topic_encrypted_with_a_key_cloudwatch_may_use`" + `.
5. **Subscribers' side.** An SQS subscriber on AWS needs a queue policy letting the topic send, an e-mail or HTTPS
   subscriber a confirmation; LocalStack needs neither.
6. **The message format.** LocalStack builds the SNS message after CloudWatch's (AlarmName, AlarmDescription,
   NewStateValue, OldStateValue, StateChangeTime, Trigger); check a pager's parser once against a real notification
   (` + "`aws cloudwatch set-alarm-state`" + ` on AWS is the same drill).
`)
	return b.String()
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// write logs the report and writes it to infra-ecs/target/terratest/ecs-alarms.md.
func (r *alarmsReport) write(t *testing.T, root string) {
	text := r.markdown(t.Failed())
	t.Log("\n" + text)
	dir := filepath.Join(root, "infra-ecs", "target", "terratest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("writing the alarm report: %v", err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "ecs-alarms.md"), []byte(text), 0o644); err != nil {
		t.Errorf("writing the alarm report: %v", err)
	}
}
