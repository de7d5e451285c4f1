package emulators

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// How long an alarm may take: LocalStack evaluates alarms once per period (60 s), so the first evaluation
// that sees the data comes within two periods; the rest is margin for a loaded machine.
const alarmDeadline = 3 * time.Minute

// An alarm as infra-ecs defines them (period 60 s: LocalStack never evaluates a 10 s period), fed metric
// data above its threshold, goes to ALARM, and its action's notification arrives through SNS in SQS.
func TestAlarmNotifiesThroughSNSToSQS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := awsConfig()
	queues := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = endpoint(t, "alarms", "sqs") })
	topics := sns.NewFromConfig(cfg, func(o *sns.Options) { o.BaseEndpoint = endpoint(t, "alarms", "sns") })
	metrics := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = endpoint(t, "alarms", "cloudwatch") })
	name := uniqueName(t, "alarm")

	queue, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateQueue on %s: %v", *endpoint(t, "alarms", "sqs"), err)
	}
	cleanup(t, "queue "+name, func(ctx context.Context) error {
		_, err := queues.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: queue.QueueUrl})
		return err
	})
	attributes, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	cleanup(t, "topic "+name, func(ctx context.Context) error {
		_, err := topics.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic.TopicArn})
		return err
	})
	if _, err := topics.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(attributes.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
	}); err != nil {
		t.Fatalf("Subscribe the queue to the topic: %v", err)
	}

	namespace := "UsersInfo/Smoke/" + name
	if _, err := metrics.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		Namespace:          aws.String(namespace),
		MetricName:         aws.String("Errors"),
		Statistic:          cwtypes.StatisticSum,
		Period:             aws.Int32(60),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(5),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		AlarmActions:       []string{*topic.TopicArn},
	}); err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	cleanup(t, "alarm "+name, func(ctx context.Context) error {
		_, err := metrics.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}})
		return err
	})

	start := time.Now()
	deadline := start.Add(alarmDeadline)
	state := cwtypes.StateValueInsufficientData
	// Errors above the threshold every 10 s until the alarm fires, as a failing service would report them.
	for state != cwtypes.StateValueAlarm {
		if time.Now().After(deadline) {
			t.Fatalf("alarm %s still %s after %v of metric data above its threshold (LocalStack: docker logs %s)",
				name, state, alarmDeadline, endpoints.Emulators["localstack"].Container)
		}
		if _, err := metrics.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{
			Namespace:  aws.String(namespace),
			MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("Errors"), Value: aws.Float64(10), Unit: cwtypes.StandardUnitCount}},
		}); err != nil {
			t.Fatalf("PutMetricData: %v", err)
		}
		time.Sleep(10 * time.Second)
		alarms, err := metrics.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
		if err != nil || len(alarms.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms %s: %+v, error %v", name, alarms, err)
		}
		state = alarms.MetricAlarms[0].StateValue
	}
	t.Logf("alarm %s in ALARM %.0f s after the first metric data", name, time.Since(start).Seconds())

	for {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			t.Fatalf("alarm %s is in ALARM but no ALARM notification reached queue %s within %v", name, name, alarmDeadline)
		}
		received, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: int32(min(remaining, 5*time.Second) / time.Second),
		})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		for _, message := range received.Messages {
			if notified, err := alarmNotification(aws.ToString(message.Body)); err != nil {
				t.Fatalf("a message in queue %s is not an SNS notification of a CloudWatch alarm: %v", name, err)
			} else if notified.AlarmName == name && notified.NewStateValue == "ALARM" {
				t.Logf("ALARM notification in SQS %.0f s after the first metric data", time.Since(start).Seconds())
				return
			}
		}
	}
}

type alarmState struct {
	AlarmName     string
	NewStateValue string
}

// alarmNotification reads the alarm's state change out of the SNS envelope that SQS delivers.
func alarmNotification(body string) (alarmState, error) {
	var envelope struct{ Type, Message string }
	var state alarmState
	if err := json.Unmarshal([]byte(body), &envelope); err != nil {
		return state, fmt.Errorf("%v in %q", err, body)
	}
	if envelope.Type != "Notification" {
		return state, fmt.Errorf("SNS message of type %q, want Notification: %q", envelope.Type, body)
	}
	if err := json.Unmarshal([]byte(envelope.Message), &state); err != nil {
		return state, fmt.Errorf("%v in the alarm message %q", err, envelope.Message)
	}
	return state, nil
}
