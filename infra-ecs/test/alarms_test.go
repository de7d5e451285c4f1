// Terratest of infra-ecs/modules/alarms on LocalStack, the emulator that evaluates CloudWatch alarms and runs
// their SNS actions: the module applied on its own for a load balancer, target group and service that exist
// only as metric dimensions, an SQS queue subscribed to its topic, metric data that breaches each warning and
// then recovers, and the notifications read from the queue. Writes target/terratest/ecs-alarms.md
// (docs/terraform.md, "Proven on LocalStack").
package test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/usersinfo/terratest/emulatortest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Everything the module calls, on LocalStack: its topic's key and the caller identity too, so the key policy
// and the ARNs name the account LocalStack's resources belong to.
var alarmRoutes = emulatortest.Routes{
	"cloudwatch": {Emulator: "localstack", Why: "LocalStack community evaluates metric alarms and runs their SNS actions; moto does neither"},
	"sns":        {Emulator: "localstack", Why: "the alarms' actions name the topic, so it lives beside them"},
	"sqs":        {Emulator: "localstack", Why: "the queue subscribed to the topic, from which the test reads the notifications"},
	"kms":        {Emulator: "localstack", Why: "the topic's key, beside the topic"},
	"sts":        {Emulator: "localstack", Why: "the account the key policy names is LocalStack's"},
}

const (
	// The warnings at 10 s x 3 instead of 300 s x 3: the same shape (three breaching periods in a row), 30
	// times faster. 10 s is a period CloudWatch accepts (high resolution); the module validates it.
	warningPeriod            = 10
	warningEvaluationPeriods = 3
	// How often the test pushes metric data: twice per period, so no period is without a datapoint.
	pushEvery = 5 * time.Second
	// LocalStack evaluates a metric alarm every EvaluationPeriods x Period (30 s here) and counts breaching
	// datapoints over the last EvaluationPeriods + 2 periods; a change of the data shows within two of its
	// cycles. Four bound each wait.
	transitionTimeout = 4 * warningEvaluationPeriods * warningPeriod * time.Second
	// SetAlarmState runs the actions at once; SNS to SQS takes milliseconds.
	deliveryTimeout = 15 * time.Second
	// The first evaluation runs when the alarm is created.
	firstEvaluationTimeout = 15 * time.Second
)

func TestAlarmsOnLocalStack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := emulatortest.UniqueName(t)
	report := newAlarmsReport(env)
	t.Cleanup(func() { report.write(t, env.Root) })

	// What the load balancer, target group and service would be called: only their metrics exist here.
	loadBalancer := "app/" + name + "/50dc6c495c0c9188"
	targetGroup := "targetgroup/" + name + "/73e2d6bc24d8a067"
	vars := map[string]any{
		"name":                       name,
		"load_balancer_arn_suffix":   loadBalancer,
		"target_group_arn_suffix":    targetGroup,
		"ecs_cluster_name":           name,
		"ecs_service_name":           name,
		"warning_period_seconds":     warningPeriod,
		"warning_evaluation_periods": warningEvaluationPeriods,
	}
	stack := env.NewChildStack(t, "infra-ecs/modules/alarms", alarmRoutes, vars)
	clients := stack.Clients(t)

	queue, err := clients.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-notifications")})
	require.NoError(t, err, "creating the SQS queue on LocalStack")
	t.Cleanup(func() {
		_, err := clients.SQS.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: queue.QueueUrl})
		assert.NoError(t, err, "deleting the queue %s", aws.ToString(queue.QueueUrl))
	})
	queueAttributes, err := clients.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	require.NoError(t, err)
	queueArn := queueAttributes.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	vars["alarm_subscriptions"] = []map[string]any{{"protocol": "sqs", "endpoint": queueArn}}

	stack.Apply(t)
	created := time.Now()
	topic := stack.Output(t, "topic_arn")
	report.keyArn = stack.Output(t, "kms_key_arn")
	var alarms map[string]string
	require.NoError(t, json.Unmarshal([]byte(stack.OutputJSON(t, "alarm_names")), &alarms))
	var windows map[string]map[string]string
	require.NoError(t, json.Unmarshal([]byte(stack.OutputJSON(t, "window_alarm_names")), &windows))
	warnings := map[string]warning{
		alarms["UsersInfoRestartingTooOften"]: {alert: "UsersInfoRestartingTooOften", namespace: "AWS/ApplicationELB", metric: "UnHealthyHostCount",
			dimensions: map[string]string{"LoadBalancer": loadBalancer, "TargetGroup": targetGroup}, breaching: 1, healthy: 0},
		alarms["UsersInfoAtMaxReplicas"]: {alert: "UsersInfoAtMaxReplicas", namespace: "AWS/ECS", metric: "CPUUtilization",
			dimensions: map[string]string{"ClusterName": name, "ServiceName": name}, breaching: 97, healthy: 20},
	}

	inbox := newInbox()
	receiving, stopReceiving := context.WithCancel(ctx)
	t.Cleanup(stopReceiving)
	go inbox.receive(receiving, clients.SQS, aws.ToString(queue.QueueUrl))

	t.Run("topic: encrypted with the module's key, the queue subscribed", func(t *testing.T) {
		attributes, err := clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		require.NoError(t, err)
		assert.Equal(t, report.keyArn, attributes.Attributes["KmsMasterKeyId"])
		subscriptions, err := clients.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
		require.NoError(t, err)
		require.Len(t, subscriptions.Subscriptions, 1)
		assert.Equal(t, "sqs", aws.ToString(subscriptions.Subscriptions[0].Protocol))
		assert.Equal(t, queueArn, aws.ToString(subscriptions.Subscriptions[0].Endpoint))
	})

	// notBreaching: with no datapoint at all the first evaluation must give OK; "missing" would give
	// INSUFFICIENT_DATA.
	t.Run("no data yet: the warnings are OK (treat_missing_data = notBreaching)", func(t *testing.T) {
		for alarm := range warnings {
			state := waitForState(t, clients.CloudWatch, alarm, cwtypes.StateValueOk, firstEvaluationTimeout)
			if assert.Equal(t, cwtypes.StateValueOk, state.StateValue, "%s %s after the apply, without data", alarm, firstEvaluationTimeout) {
				report.firstEvaluation[alarm] = aws.ToTime(state.StateUpdatedTimestamp).Sub(aws.ToTime(state.AlarmConfigurationUpdatedTimestamp))
			}
		}
	})

	pusher := newMetricPusher(clients.CloudWatch, warnings, loadBalancer)
	pushing, stopPushing := context.WithCancel(ctx)
	t.Cleanup(stopPushing)
	go pusher.run(pushing)

	breachStarted := pusher.set(t, breaching)
	t.Run("breaching data: each warning notifies ALARM with its runbook", func(t *testing.T) {
		for alarm, w := range warnings {
			n, ok := inbox.wait(t, transitionTimeout, alarm+" ALARM", func(n notification) bool {
				return n.alarm.AlarmName == alarm && n.alarm.NewStateValue == "ALARM"
			})
			if !ok {
				continue
			}
			report.alarmed[alarm] = timing{after: n.received.Sub(breachStarted), delivery: n.delivery(t)}
			assertNotification(t, n, topic, alarm, "ALARM", "OK", w.alert)
			require.NotNil(t, n.alarm.Trigger, "%s: the notification names the metric it watched", alarm)
			assert.Equal(t, w.metric, n.alarm.Trigger.MetricName)
			assert.Equal(t, w.namespace, n.alarm.Trigger.Namespace)
			assert.Equal(t, w.dimensions, n.alarmDimensions(t))
		}
	})

	// The burn-rate window alarms read metric math (the 5xx ratio) and percentiles (TargetResponseTime),
	// which LocalStack community does not evaluate: with breaching data for all of them since breachStarted
	// they must still be where creation left them. If this fails, LocalStack has learned to evaluate them:
	// prove them by data here, and take them off the list of what this test does not prove.
	t.Run("window alarms: LocalStack does not evaluate metric math or percentiles", func(t *testing.T) {
		evaluatedFor := time.Since(breachStarted)
		for objective, byWindow := range windows {
			for window, alarm := range byWindow {
				state := alarmState(t, clients.CloudWatch, alarm)
				assert.Equal(t, cwtypes.StateValueInsufficientData, state,
					"%s (%s %s) after %.0f s of breaching data: LocalStack now evaluates it", alarm, objective, window, evaluatedFor.Seconds())
			}
		}
		report.windowsUnevaluatedAfter = evaluatedFor
	})

	// The composite rules are "(ALARM(long) AND ALARM(short)) OR (...)"; LocalStack evaluates only rules of
	// the form ALARM("arn") OR ALARM("arn"), so both windows of the fast tier in ALARM (set by hand, as
	// CloudWatch would after an hour of 5xx) do not move it. If this fails, LocalStack evaluates the rule:
	// assert its notification here instead of forcing it below.
	t.Run("composite alarms: LocalStack does not evaluate their rule", func(t *testing.T) {
		for _, objective := range []string{"availability", "latency"} {
			for _, window := range []string{"fast-long", "fast-short"} {
				_, err := clients.CloudWatch.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(windows[objective][window]),
					StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test: both windows of the fast tier burning")})
				require.NoError(t, err)
			}
		}
		for _, alert := range []string{"UsersInfoAvailabilityBurnRate", "UsersInfoLatencyBurnRate"} {
			assert.Equal(t, cwtypes.StateValueInsufficientData, alarmState(t, clients.CloudWatch, alarms[alert]),
				"%s with both fast windows in ALARM: LocalStack now evaluates the composite rule", alarms[alert])
		}
	})

	// What can be proven of the composites: their actions. SetAlarmState, the API AWS documents for testing an
	// alarm's actions, sets the composite itself; the notification must reach the queue with its runbook.
	t.Run("composite alarms: forced ALARM and OK reach the queue with their runbook", func(t *testing.T) {
		for _, alert := range []string{"UsersInfoAvailabilityBurnRate", "UsersInfoLatencyBurnRate"} {
			alarm := alarms[alert]
			var drill timing
			for _, step := range []struct{ state, previous cwtypes.StateValue }{
				{cwtypes.StateValueAlarm, cwtypes.StateValueInsufficientData}, {cwtypes.StateValueOk, cwtypes.StateValueAlarm},
			} {
				set := time.Now()
				_, err := clients.CloudWatch.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(alarm),
					StateValue: step.state, StateReason: aws.String("test: drill of the notification path")})
				require.NoError(t, err)
				n, ok := inbox.wait(t, deliveryTimeout, alarm+" "+string(step.state), func(n notification) bool {
					return n.alarm.AlarmName == alarm && n.alarm.NewStateValue == string(step.state)
				})
				if !ok {
					continue
				}
				assertNotification(t, n, topic, alarm, string(step.state), string(step.previous), alert)
				if step.state == cwtypes.StateValueAlarm {
					drill.after = n.received.Sub(set)
				} else {
					drill.recovered = n.received.Sub(set)
				}
			}
			report.forced[alarm] = drill
		}
		// Window alarms have actions disabled: setting four of them to ALARM above must not have notified.
		for _, n := range inbox.all() {
			assert.True(t, n.alarm.AlarmName == alarms["UsersInfoAvailabilityBurnRate"] || n.alarm.AlarmName == alarms["UsersInfoLatencyBurnRate"] ||
				warnings[n.alarm.AlarmName].alert != "", "%s notified (%s), but only the composites and the warnings may", n.alarm.AlarmName, n.alarm.NewStateValue)
		}
	})

	recoveryStarted := pusher.set(t, healthy)
	t.Run("data recovers: each warning notifies OK", func(t *testing.T) {
		for alarm, w := range warnings {
			n, ok := inbox.wait(t, transitionTimeout, alarm+" OK after ALARM", func(n notification) bool {
				return n.alarm.AlarmName == alarm && n.alarm.NewStateValue == "OK" && n.alarm.OldStateValue == "ALARM"
			})
			if !ok {
				continue
			}
			assertNotification(t, n, topic, alarm, "OK", "ALARM", w.alert)
			record := report.alarmed[alarm]
			record.recovered = n.received.Sub(recoveryStarted)
			report.alarmed[alarm] = record
		}
	})
	stopPushing()
	require.NoError(t, pusher.failure(), "PutMetricData to LocalStack")
	require.NoError(t, inbox.failure(), "reading the queue")
	report.initialOK = inbox.count(func(n notification) bool {
		return n.alarm.OldStateValue == "INSUFFICIENT_DATA" && n.alarm.NewStateValue == "OK"
	})
	report.total = time.Since(created)

	stack.Destroy(t)

	t.Run("nothing left", func(t *testing.T) {
		left, err := clients.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(name + "-"),
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		require.NoError(t, err)
		assert.Empty(t, left.MetricAlarms)
		assert.Empty(t, left.CompositeAlarms)
		_, err = clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		assert.Error(t, err, "topic %s", topic)
		aliases, err := clients.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
		require.NoError(t, err)
		for _, alias := range aliases.Aliases {
			assert.NotEqual(t, "alias/"+name+"-alarms", aws.ToString(alias.AliasName))
		}
		key, err := clients.KMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(report.keyArn)})
		require.NoError(t, err)
		assert.Equal(t, kmstypes.KeyStatePendingDeletion, key.KeyMetadata.KeyState, "the key is scheduled for deletion (KMS keeps it 7 days)")
	})
}

// warning is one of the two alarms LocalStack evaluates: the metric it watches and the values that breach it
// and that do not.
type warning struct {
	alert      string
	namespace  string
	metric     string
	dimensions map[string]string
	breaching  float64
	healthy    float64
}

func assertNotification(t *testing.T, n notification, topic, alarm, state, previous, alert string) {
	t.Helper()
	assert.Equal(t, "Notification", n.envelope.Type, "%s: SNS envelope type", alarm)
	assert.Equal(t, topic, n.envelope.TopicArn, "%s: published to the alarm topic", alarm)
	assert.Equal(t, fmt.Sprintf("%s: %q in %s", state, alarm, env.Endpoints.Region), n.envelope.Subject, "%s: subject", alarm)
	assert.Equal(t, state, n.alarm.NewStateValue, alarm)
	assert.Equal(t, previous, n.alarm.OldStateValue, alarm)
	assert.True(t, strings.HasSuffix(n.alarm.AlarmDescription, "Runbook: https://github.com/example/users-info/blob/main/docs/runbooks/"+alert+".md"),
		"%s: the description ends with the runbook of %s: %q", alarm, alert, n.alarm.AlarmDescription)
}

// waitForState polls a metric alarm until it is in state or timeout passes, and returns it as last seen.
func waitForState(t *testing.T, client *cloudwatch.Client, alarm string, state cwtypes.StateValue, timeout time.Duration) cwtypes.MetricAlarm {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := client.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm}})
		require.NoError(t, err)
		require.Len(t, out.MetricAlarms, 1, "metric alarm %s on LocalStack", alarm)
		if out.MetricAlarms[0].StateValue == state || time.Now().After(deadline) {
			return out.MetricAlarms[0]
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func alarmState(t *testing.T, client *cloudwatch.Client, alarm string) cwtypes.StateValue {
	t.Helper()
	out, err := client.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{alarm},
		AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
	require.NoError(t, err)
	for _, a := range out.MetricAlarms {
		return a.StateValue
	}
	for _, a := range out.CompositeAlarms {
		return a.StateValue
	}
	t.Fatalf("no alarm %s on LocalStack", alarm)
	return ""
}

////////////////////////////////////////////////////////////////////////////////
// Metric data
////////////////////////////////////////////////////////////////////////////////

type phase int

const (
	breaching phase = iota + 1
	healthy
)

// metricPusher sends, every pushEvery, what the load balancer and ECS would publish in the current phase:
// for the warnings their metric, and for the burn-rate windows 5xx and slow responses (breaching) or none.
type metricPusher struct {
	client       *cloudwatch.Client
	warnings     map[string]warning
	loadBalancer string
	mu           sync.Mutex
	phase        phase
	err          error
}

func newMetricPusher(client *cloudwatch.Client, warnings map[string]warning, loadBalancer string) *metricPusher {
	return &metricPusher{client: client, warnings: warnings, loadBalancer: loadBalancer}
}

// set switches to p, pushes its data at once and returns when that push was accepted.
func (p *metricPusher) set(t *testing.T, next phase) time.Time {
	t.Helper()
	p.mu.Lock()
	p.phase = next
	p.mu.Unlock()
	require.NoError(t, p.push(context.Background()), "PutMetricData to LocalStack")
	return time.Now()
}

func (p *metricPusher) run(ctx context.Context) {
	ticker := time.NewTicker(pushEvery)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := p.push(ctx); err != nil && ctx.Err() == nil {
				p.mu.Lock()
				p.err = errors.Join(p.err, err)
				p.mu.Unlock()
			}
		}
	}
}

func (p *metricPusher) push(ctx context.Context) error {
	p.mu.Lock()
	current := p.phase
	p.mu.Unlock()
	byNamespace := map[string][]cwtypes.MetricDatum{}
	datum := func(metric string, dimensions map[string]string, value float64) cwtypes.MetricDatum {
		d := cwtypes.MetricDatum{MetricName: aws.String(metric), Value: aws.Float64(value), StorageResolution: aws.Int32(1)}
		for key, v := range dimensions {
			d.Dimensions = append(d.Dimensions, cwtypes.Dimension{Name: aws.String(key), Value: aws.String(v)})
		}
		return d
	}
	for _, w := range p.warnings {
		value := w.healthy
		if current == breaching {
			value = w.breaching
		}
		byNamespace[w.namespace] = append(byNamespace[w.namespace], datum(w.metric, w.dimensions, value))
	}
	// Half the requests answered 5xx and every response 2 s: far beyond every burn-rate threshold.
	lb := map[string]string{"LoadBalancer": p.loadBalancer}
	if current == breaching {
		byNamespace["AWS/ApplicationELB"] = append(byNamespace["AWS/ApplicationELB"],
			datum("RequestCount", lb, 100), datum("HTTPCode_Target_5XX_Count", lb, 50), datum("TargetResponseTime", lb, 2))
	}
	for namespace, data := range byNamespace {
		if _, err := p.client.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(namespace), MetricData: data}); err != nil {
			return fmt.Errorf("%s: %w", namespace, err)
		}
	}
	return nil
}

func (p *metricPusher) failure() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

////////////////////////////////////////////////////////////////////////////////
// Notifications: SNS envelopes in the SQS queue, each holding CloudWatch's alarm message
////////////////////////////////////////////////////////////////////////////////

type notification struct {
	received time.Time
	envelope struct {
		Type     string
		TopicArn string
		Subject  string
		Message  string
	}
	alarm struct {
		AlarmName        string
		AlarmDescription string
		OldStateValue    string
		NewStateValue    string
		StateChangeTime  string
		// A metric alarm's metric. LocalStack also sends it for a composite set by SetAlarmState, empty, with
		// Dimensions "" instead of a list: read only for the warnings.
		Trigger *struct {
			MetricName string
			Namespace  string
			Dimensions json.RawMessage
		}
	}
}

// delivery is the time from the state change CloudWatch reports to the message's arrival in the queue.
func (n notification) delivery(t *testing.T) time.Duration {
	t.Helper()
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700"} {
		if changed, err := time.Parse(layout, n.alarm.StateChangeTime); err == nil {
			return n.received.Sub(changed)
		}
	}
	t.Errorf("%s: StateChangeTime %q is neither RFC 3339 nor CloudWatch's 2006-01-02T15:04:05.000+0000", n.alarm.AlarmName, n.alarm.StateChangeTime)
	return 0
}

// alarmDimensions are the dimensions of the metric a metric alarm's notification names.
func (n notification) alarmDimensions(t *testing.T) map[string]string {
	t.Helper()
	var list []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	require.NoError(t, json.Unmarshal(n.alarm.Trigger.Dimensions, &list), "%s: Trigger.Dimensions %s", n.alarm.AlarmName, n.alarm.Trigger.Dimensions)
	dimensions := map[string]string{}
	for _, d := range list {
		dimensions[d.Name] = d.Value
	}
	return dimensions
}

type inbox struct {
	mu       sync.Mutex
	messages []notification
	err      error
}

func newInbox() *inbox { return &inbox{} }

// receive long-polls the queue until ctx ends, keeping every notification with the time it arrived.
func (in *inbox) receive(ctx context.Context, client *sqs.Client, queueURL string) {
	for ctx.Err() == nil {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		received := time.Now()
		if err != nil {
			if ctx.Err() == nil {
				in.fail(fmt.Errorf("ReceiveMessage: %w", err))
				time.Sleep(time.Second)
			}
			continue
		}
		for _, message := range out.Messages {
			n := notification{received: received}
			if err := json.Unmarshal([]byte(aws.ToString(message.Body)), &n.envelope); err != nil {
				in.fail(fmt.Errorf("a message that is no SNS envelope: %w: %s", err, aws.ToString(message.Body)))
			} else if err := json.Unmarshal([]byte(n.envelope.Message), &n.alarm); err != nil {
				in.fail(fmt.Errorf("an SNS message that is no CloudWatch alarm message: %w: %s", err, n.envelope.Message))
			}
			in.mu.Lock()
			in.messages = append(in.messages, n)
			in.mu.Unlock()
			if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: message.ReceiptHandle}); err != nil && ctx.Err() == nil {
				in.fail(fmt.Errorf("DeleteMessage: %w", err))
			}
		}
	}
}

func (in *inbox) fail(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.err = errors.Join(in.err, err)
}

func (in *inbox) failure() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.err
}

func (in *inbox) all() []notification {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]notification(nil), in.messages...)
}

func (in *inbox) count(match func(notification) bool) int {
	count := 0
	for _, n := range in.all() {
		if match(n) {
			count++
		}
	}
	return count
}

// wait returns the first notification that matches, or fails the test after timeout listing what did arrive.
func (in *inbox) wait(t *testing.T, timeout time.Duration, what string, match func(notification) bool) (notification, bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, n := range in.all() {
			if match(n) {
				return n, true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	var arrived []string
	for _, n := range in.all() {
		arrived = append(arrived, fmt.Sprintf("%s %s→%s", n.alarm.AlarmName, n.alarm.OldStateValue, n.alarm.NewStateValue))
	}
	t.Errorf("no notification %q in the queue within %s; arrived: %v (reading errors: %v). "+
		"What to check: docker logs --since %s %s | grep -i -e alarm -e sns",
		what, timeout, arrived, in.failure(), time.Now().Add(-timeout-time.Minute).UTC().Format(time.RFC3339), env.Endpoints.Emulators["localstack"].Container)
	return notification{}, false
}
