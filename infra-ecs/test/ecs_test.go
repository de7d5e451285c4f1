// Terratest of infra-ecs against the local AWS emulators, on an infra-shared applied by the test: the first
// rollout without an image, then an image tag, then destroy (docs/terraform.md, "Terratest").
package test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"example.com/usersinfo/terratest/emulatortest"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var env *emulatortest.Env

func TestMain(m *testing.M) { emulatortest.Run(m, &env) }

func TestInfraECS(t *testing.T) {
	// Beside TestAlarmsOnLocalStack, which mostly waits for LocalStack's alarm evaluation.
	t.Parallel()
	ctx := context.Background()
	name := emulatortest.UniqueName(t)

	shared := env.NewStack(t, "infra-shared", nil, map[string]any{
		"name": name, "table_name": name + "-users", "ecr_force_delete": true, "table_deletion_protection": false,
	})
	shared.Apply(t)

	vars := map[string]any{
		"name":         name,
		"shared_state": map[string]any{"backend": "local", "config": map[string]any{"path": shared.StatePath()}},
	}
	stack := env.NewStack(t, "infra-ecs", nil, vars)
	stack.Unchecked = []string{"aws_ecs_service deployment_minimum_healthy_percent (100), deployment_maximum_percent (200) and " +
		"deployment_circuit_breaker (enable, rollback): moto 5.2.1 stores no deploymentConfiguration (DescribeServices returns none); " +
		"the planned values are asserted here, and tests/ecs.tftest.hcl covers them",
		"aws_lb scheme internet-facing: for internal = false the provider sends no Scheme (AWS's default) and moto 5.2.1 then returns an empty one; " +
			"the planned internal = false is asserted here"}
	clients := stack.Clients(t)
	stack.Apply(t)
	stack.ReportGaps(t)

	repository := shared.Output(t, "ecr_repository_url")
	private := shared.OutputList(t, "private_subnet_ids")
	public := shared.OutputList(t, "public_subnet_ids")
	clusterArn := stack.Output(t, "cluster_arn")

	t.Run("cluster: Fargate, Container Insights", func(t *testing.T) {
		clusters, err := clients.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{clusterArn},
			Include: []ecstypes.ClusterField{ecstypes.ClusterFieldSettings}})
		require.NoError(t, err)
		require.Len(t, clusters.Clusters, 1)
		cluster := clusters.Clusters[0]
		assert.Equal(t, "ACTIVE", aws.ToString(cluster.Status))
		assert.Equal(t, []string{"FARGATE"}, cluster.CapacityProviders)
		require.Len(t, cluster.Settings, 1)
		assert.Equal(t, ecstypes.ClusterSettingNameContainerInsights, cluster.Settings[0].Name)
		assert.Equal(t, "enabled", aws.ToString(cluster.Settings[0].Value))
	})

	// The first rollout: no image tag yet, so the service exists with no task and nothing may start one.
	t.Run("no image yet: desired count 0, placeholder tag, capacity 0..0", func(t *testing.T) {
		service := describeService(t, clients.ECS, clusterArn, name)
		assert.Equal(t, int32(0), service.DesiredCount)
		assert.Equal(t, int32(0), service.RunningCount)
		assert.Equal(t, ecstypes.LaunchTypeFargate, service.LaunchType)
		require.NotNil(t, service.NetworkConfiguration)
		assert.ElementsMatch(t, private, service.NetworkConfiguration.AwsvpcConfiguration.Subnets, "tasks in the private subnets")
		assert.Equal(t, ecstypes.AssignPublicIpDisabled, service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp)
		// moto returns no deploymentConfiguration (stack.Unchecked): what Terraform sends is checked instead.
		planned := stack.Plan.ResourcePlannedValuesMap["aws_ecs_service.this"]
		require.NotNil(t, planned, "the plan has the service")
		assert.Equal(t, float64(100), planned.AttributeValues["deployment_minimum_healthy_percent"])
		assert.Equal(t, float64(200), planned.AttributeValues["deployment_maximum_percent"])
		assert.Equal(t, []any{map[string]any{"enable": true, "rollback": true}}, planned.AttributeValues["deployment_circuit_breaker"])
		require.Len(t, service.LoadBalancers, 1)
		assert.Equal(t, stack.Output(t, "target_group_arn"), aws.ToString(service.LoadBalancers[0].TargetGroupArn))
		assert.Equal(t, repository+":no-image-yet", containerImage(t, clients.ECS, aws.ToString(service.TaskDefinition)))
		assertCapacity(t, stack, 0, 0)
	})

	t.Run("task definition: 256/512, read-only root, user 65532, awslogs", func(t *testing.T) {
		definition, err := clients.ECS.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(stack.Output(t, "task_definition_arn"))})
		require.NoError(t, err)
		task := definition.TaskDefinition
		assert.Equal(t, "256", aws.ToString(task.Cpu))
		assert.Equal(t, "512", aws.ToString(task.Memory))
		assert.Equal(t, ecstypes.NetworkModeAwsvpc, task.NetworkMode)
		assert.Equal(t, stack.Output(t, "task_role_arn"), aws.ToString(task.TaskRoleArn))
		assert.Equal(t, stack.Output(t, "execution_role_arn"), aws.ToString(task.ExecutionRoleArn))
		require.Len(t, task.ContainerDefinitions, 1)
		container := task.ContainerDefinitions[0]
		assert.True(t, aws.ToBool(container.ReadonlyRootFilesystem))
		assert.Equal(t, "65532:65532", aws.ToString(container.User))
		require.NotNil(t, container.LogConfiguration)
		assert.Equal(t, ecstypes.LogDriverAwslogs, container.LogConfiguration.LogDriver)
		assert.Equal(t, "/ecs/"+name, container.LogConfiguration.Options["awslogs-group"])
		groups, err := clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/" + name)})
		require.NoError(t, err)
		require.Len(t, groups.LogGroups, 1)
		assert.Equal(t, int32(30), aws.ToInt32(groups.LogGroups[0].RetentionInDays))
	})

	t.Run("task role: the users table only", func(t *testing.T) {
		policy, err := clients.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name + "-ecs-task"), PolicyName: aws.String("users-table")})
		require.NoError(t, err)
		// IAM returns the document URL-encoded (RFC 3986).
		document, err := url.QueryUnescape(aws.ToString(policy.PolicyDocument))
		require.NoError(t, err)
		var parsed struct{ Statement []struct{ Resource any } }
		require.NoError(t, json.Unmarshal([]byte(document), &parsed), document)
		require.Len(t, parsed.Statement, 1)
		assert.Equal(t, shared.Output(t, "table_arn"), parsed.Statement[0].Resource)
	})

	t.Run("load balancer: internet-facing in the public subnets, readiness health check, HTTP 80 forwards", func(t *testing.T) {
		balancers, err := clients.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
		require.NoError(t, err)
		require.Len(t, balancers.LoadBalancers, 1)
		balancer := balancers.LoadBalancers[0]
		// Scheme is not read back (stack.Unchecked): Terraform leaves it to AWS's default and moto then returns none.
		assert.Equal(t, false, stack.Plan.ResourcePlannedValuesMap["aws_lb.this"].AttributeValues["internal"])
		var subnets []string
		for _, zone := range balancer.AvailabilityZones {
			subnets = append(subnets, aws.ToString(zone.SubnetId))
		}
		assert.ElementsMatch(t, public, subnets)
		groups, err := clients.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{name}})
		require.NoError(t, err)
		require.Len(t, groups.TargetGroups, 1)
		group := groups.TargetGroups[0]
		assert.Equal(t, "/health/readiness", aws.ToString(group.HealthCheckPath))
		assert.Equal(t, "ip", string(group.TargetType))
		assert.Equal(t, int32(8080), aws.ToInt32(group.Port))
		listeners, err := clients.ELBv2.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: balancer.LoadBalancerArn})
		require.NoError(t, err)
		require.Len(t, listeners.Listeners, 1)
		assert.Equal(t, int32(80), aws.ToInt32(listeners.Listeners[0].Port))
		require.Len(t, listeners.Listeners[0].DefaultActions, 1)
		assert.Equal(t, aws.ToString(group.TargetGroupArn), aws.ToString(listeners.Listeners[0].DefaultActions[0].TargetGroupArn))
	})

	t.Run("alarms: SLO thresholds, composite burn-rate alarms and warnings notify SNS", func(t *testing.T) {
		topic := stack.Output(t, "alarm_topic_arn")
		attributes, err := clients.SNS.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
		require.NoError(t, err)
		// A key of the stack's own that CloudWatch may use: with alias/aws/sns no notification would go out.
		keyArn := attributes.Attributes["KmsMasterKeyId"]
		policy, err := clients.KMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(keyArn), PolicyName: aws.String("default")})
		require.NoError(t, err, "the topic's key %q", keyArn)
		var keyPolicy struct {
			Statement []struct {
				Sid       string
				Principal map[string]any
				Action    any
			}
		}
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(policy.Policy)), &keyPolicy), aws.ToString(policy.Policy))
		grantsCloudWatch := false
		for _, statement := range keyPolicy.Statement {
			grantsCloudWatch = grantsCloudWatch || statement.Sid == "CloudWatchAlarmsPublish" && statement.Principal["Service"] == "cloudwatch.amazonaws.com" &&
				assert.ObjectsAreEqual([]any{"kms:Decrypt", "kms:GenerateDataKey*"}, statement.Action)
		}
		assert.True(t, grantsCloudWatch, "the topic key's policy lets CloudWatch publish: %s", aws.ToString(policy.Policy))

		alarms, err := clients.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(name + "-"),
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		require.NoError(t, err)
		thresholds := map[string]float64{}
		for _, alarm := range alarms.MetricAlarms {
			thresholds[strings.TrimPrefix(aws.ToString(alarm.AlarmName), name+"-")] = aws.ToFloat64(alarm.Threshold)
			window := strings.Contains(aws.ToString(alarm.AlarmName), "-over-")
			assert.Equal(t, !window, aws.ToBool(alarm.ActionsEnabled), "%s: only the warnings and composites notify", aws.ToString(alarm.AlarmName))
			if !window {
				assert.Equal(t, []string{topic}, alarm.AlarmActions, aws.ToString(alarm.AlarmName))
			}
		}
		// 14.4 x and 6 x the 0.1 % error budget; p85.6 / p94 above 0.25 s for the p99 objective; CPU 90 %.
		assert.Equal(t, map[string]float64{
			"error-ratio-60m-over-14.4x-budget": 0.0144, "error-ratio-5m-over-14.4x-budget": 0.0144,
			"error-ratio-360m-over-6x-budget": 0.006, "error-ratio-30m-over-6x-budget": 0.006,
			"p85.6-60m-over-0.25s": 0.25, "p85.6-5m-over-0.25s": 0.25, "p94-360m-over-0.25s": 0.25, "p94-30m-over-0.25s": 0.25,
			"UsersInfoRestartingTooOften": 1, "UsersInfoAtMaxReplicas": 90,
		}, thresholds)
		// The warnings watch what this stack created: its load balancer and target group (their arn_suffix),
		// its cluster and service; the window alarms the load balancer.
		balancers, err := clients.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
		require.NoError(t, err)
		require.Len(t, balancers.LoadBalancers, 1)
		loadBalancer := arnSuffix(t, aws.ToString(balancers.LoadBalancers[0].LoadBalancerArn))
		targetGroup := arnSuffix(t, stack.Output(t, "target_group_arn"))
		for _, alarm := range alarms.MetricAlarms {
			dimensions := map[string]string{}
			for _, d := range alarm.Dimensions {
				dimensions[aws.ToString(d.Name)] = aws.ToString(d.Value)
			}
			for _, query := range alarm.Metrics {
				if query.MetricStat != nil {
					for _, d := range query.MetricStat.Metric.Dimensions {
						dimensions[aws.ToString(d.Name)] = aws.ToString(d.Value)
					}
				}
			}
			switch strings.TrimPrefix(aws.ToString(alarm.AlarmName), name+"-") {
			case "UsersInfoRestartingTooOften":
				assert.Equal(t, map[string]string{"LoadBalancer": loadBalancer, "TargetGroup": targetGroup}, dimensions, aws.ToString(alarm.AlarmName))
			case "UsersInfoAtMaxReplicas":
				assert.Equal(t, map[string]string{"ClusterName": name, "ServiceName": name}, dimensions, aws.ToString(alarm.AlarmName))
			default:
				assert.Equal(t, map[string]string{"LoadBalancer": loadBalancer}, dimensions, aws.ToString(alarm.AlarmName))
			}
		}
		composites := map[string]string{}
		for _, alarm := range alarms.CompositeAlarms {
			composites[strings.TrimPrefix(aws.ToString(alarm.AlarmName), name+"-")] = aws.ToString(alarm.AlarmRule)
			assert.Equal(t, []string{topic}, alarm.AlarmActions, aws.ToString(alarm.AlarmName))
			assert.Equal(t, []string{topic}, alarm.OKActions, aws.ToString(alarm.AlarmName))
		}
		assert.Equal(t, map[string]string{
			"UsersInfoAvailabilityBurnRate": fmt.Sprintf(`(ALARM("%[1]s-error-ratio-60m-over-14.4x-budget") AND ALARM("%[1]s-error-ratio-5m-over-14.4x-budget")) OR (ALARM("%[1]s-error-ratio-360m-over-6x-budget") AND ALARM("%[1]s-error-ratio-30m-over-6x-budget"))`, name),
			"UsersInfoLatencyBurnRate":      fmt.Sprintf(`(ALARM("%[1]s-p85.6-60m-over-0.25s") AND ALARM("%[1]s-p85.6-5m-over-0.25s")) OR (ALARM("%[1]s-p94-360m-over-0.25s") AND ALARM("%[1]s-p94-30m-over-0.25s"))`, name),
		}, composites)
	})
	if t.Failed() {
		return
	}

	// The image exists: the task definition names it, and the scaling bounds become min..max. Terraform
	// leaves the desired count to Application Auto Scaling (ignore_changes), so it stays 0 here.
	previous := stack.Output(t, "task_definition_arn")
	vars["image_tag"] = "1.2.3"
	stack.Apply(t)

	t.Run("image tag: new revision with the image, capacity 1..10", func(t *testing.T) {
		current := stack.Output(t, "task_definition_arn")
		assert.NotEqual(t, previous, current, "a new task definition revision")
		service := describeService(t, clients.ECS, clusterArn, name)
		assert.Equal(t, current, aws.ToString(service.TaskDefinition), "the service runs the new revision")
		assert.Equal(t, repository+":1.2.3", containerImage(t, clients.ECS, current))
		assert.Equal(t, int32(0), service.DesiredCount, "Terraform does not set the count: autoscaling's minimum does")
		assertCapacity(t, stack, 1, 10)
	})

	stack.Destroy(t)

	t.Run("nothing left", func(t *testing.T) {
		services, err := clients.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(clusterArn), Services: []string{name}})
		if err == nil {
			for _, service := range services.Services {
				assert.Equal(t, "INACTIVE", aws.ToString(service.Status), "service %s", name)
			}
		}
		clusters, err := clients.ECS.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{clusterArn}})
		require.NoError(t, err)
		for _, cluster := range clusters.Clusters {
			assert.Equal(t, "INACTIVE", aws.ToString(cluster.Status), "cluster %s", name)
		}
		balancers, err := clients.ELBv2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{name}})
		assert.True(t, err != nil || len(balancers.LoadBalancers) == 0, "load balancer %s", name)
		groups, err := clients.ELBv2.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{name}})
		assert.True(t, err != nil || len(groups.TargetGroups) == 0, "target group %s", name)
		alarms, err := clients.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(name + "-"),
			AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		require.NoError(t, err)
		assert.Empty(t, alarms.MetricAlarms)
		assert.Empty(t, alarms.CompositeAlarms)
		topics, err := clients.SNS.ListTopics(ctx, &sns.ListTopicsInput{})
		require.NoError(t, err)
		for _, topic := range topics.Topics {
			assert.NotContains(t, aws.ToString(topic.TopicArn), ":"+name+"-alarms")
		}
		aliases, err := clients.KMS.ListAliases(ctx, &kms.ListAliasesInput{})
		require.NoError(t, err)
		for _, alias := range aliases.Aliases {
			assert.NotEqual(t, "alias/"+name+"-alarms", aws.ToString(alias.AliasName))
		}
		for _, role := range []string{name + "-ecs-task", name + "-ecs-execution"} {
			_, err := clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
			assert.Error(t, err, "role %s", role)
		}
		logGroups, err := clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/" + name)})
		require.NoError(t, err)
		assert.Empty(t, logGroups.LogGroups)
	})
}

// arnSuffix is what CloudWatch names a load balancer or target group by, as the provider's arn_suffix: the
// resource part of the ARN without "loadbalancer/" (app/NAME/ID, targetgroup/NAME/ID).
func arnSuffix(t *testing.T, arn string) string {
	t.Helper()
	parts := strings.SplitN(arn, ":", 6)
	require.Len(t, parts, 6, "%s is no ARN", arn)
	return strings.TrimPrefix(parts[5], "loadbalancer/")
}

func describeService(t *testing.T, client *ecs.Client, cluster, name string) ecstypes.Service {
	t.Helper()
	services, err := client.DescribeServices(context.Background(), &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: []string{name}})
	require.NoError(t, err)
	require.Len(t, services.Services, 1)
	return services.Services[0]
}

func containerImage(t *testing.T, client *ecs.Client, taskDefinition string) string {
	t.Helper()
	definition, err := client.DescribeTaskDefinition(context.Background(), &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(taskDefinition)})
	require.NoError(t, err)
	require.Len(t, definition.TaskDefinition.ContainerDefinitions, 1)
	return aws.ToString(definition.TaskDefinition.ContainerDefinitions[0].Image)
}

// assertCapacity: the capacity output, and the scalable target Terraform would register (the apply leaves
// it out: no emulator has it), are bounded min..max, and both policies track the same target.
func assertCapacity(t *testing.T, stack *emulatortest.Stack, low, high float64) {
	t.Helper()
	target, ok := stack.Plan.ResourcePlannedValuesMap["aws_appautoscaling_target.this"]
	require.True(t, ok, "the plan has the scalable target")
	assert.Equal(t, low, target.AttributeValues["min_capacity"], "planned min_capacity")
	assert.Equal(t, high, target.AttributeValues["max_capacity"], "planned max_capacity")
	assert.Equal(t, "ecs:service:DesiredCount", target.AttributeValues["scalable_dimension"])
	for address, value := range map[string]float64{"aws_appautoscaling_policy.cpu": 80, "aws_appautoscaling_policy.requests": 1000} {
		policy, ok := stack.Plan.ResourcePlannedValuesMap[address]
		require.True(t, ok, "the plan has %s", address)
		configurations, _ := policy.AttributeValues["target_tracking_scaling_policy_configuration"].([]any)
		require.Len(t, configurations, 1, address)
		assert.Equal(t, value, configurations[0].(map[string]any)["target_value"], address)
	}
	// From the plan: with -target, Terraform writes no output that depends on no applied resource.
	output, ok := stack.Plan.RawPlan.PlannedValues.Outputs["capacity"]
	require.True(t, ok, "the plan has the capacity output")
	assert.Equal(t, map[string]any{"min": low, "max": high}, output.Value, "capacity output")
}
