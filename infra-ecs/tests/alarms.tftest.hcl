# Plan-level tests of modules/alarms, the alarms infra-ecs creates through it: the AWS provider is mocked.
# What CloudWatch does with these definitions is proven on LocalStack by test/alarms_test.go, as far as
# LocalStack evaluates them (docs/terraform.md, "Proven on LocalStack").

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # The provider checks that ARNs it is given look like ARNs, so mocked resources must return real-looking ones.
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:eu-west-1:123456789012:users-info-alarms" }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:eu-west-1:123456789012:key/6f1d2c3b-1111-2222-3333-444455556666"
      key_id = "6f1d2c3b-1111-2222-3333-444455556666"
    }
  }
}

variables {
  name                     = "users-info"
  load_balancer_arn_suffix = "app/users-info/50dc6c495c0c9188"
  target_group_arn_suffix  = "targetgroup/users-info/73e2d6bc24d8a067"
  ecs_cluster_name         = "users-info"
  ecs_service_name         = "users-info"
}

run "alarms_express_the_slos_of_the_chart" {
  command = apply

  module {
    source = "./modules/alarms"
  }

  # Availability 99.9 %: budget 0.1 %; fast burn 14.4 x over 1 h and 5 min, slow burn 6 x over 6 h and 30 min.
  assert {
    condition = {
      for key, alarm in aws_cloudwatch_metric_alarm.availability_burn : key => [alarm.threshold, [for q in alarm.metric_query : q.metric[0].period if length(q.metric) > 0]]
      } == {
      "fast-long"  = [0.0144, [3600, 3600, 3600]]
      "fast-short" = [0.0144, [300, 300, 300]]
      "slow-long"  = [0.006, [21600, 21600, 21600]]
      "slow-short" = [0.006, [1800, 1800, 1800]]
    }
    error_message = "Availability burn-rate alarms must compare the 5xx ratio with 14.4 x 0.1 % over 1 h and 5 min and 6 x 0.1 % over 6 h and 30 min."
  }

  assert {
    condition     = alltrue([for alarm in aws_cloudwatch_metric_alarm.availability_burn : one([for q in alarm.metric_query : q.expression if q.return_data == true]) == "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))"])
    error_message = "The availability SLI must be 5xx (target and load balancer) over all requests, including those the load balancer answered without a target."
  }

  assert {
    condition = alltrue(flatten([
      for alarm in aws_cloudwatch_metric_alarm.availability_burn : [
        for q in alarm.metric_query : q.metric[0].namespace == "AWS/ApplicationELB" && q.metric[0].dimensions == tomap({ LoadBalancer = "app/users-info/50dc6c495c0c9188" }) && q.metric[0].stat == "Sum" if length(q.metric) > 0
      ]
    ]))
    error_message = "The 5xx ratio must sum the load balancer's own metrics (LoadBalancer = its arn_suffix)."
  }

  # Latency p99 under 0.25 s: 14.4 x the 1 % budget is more than 14.4 % slow, i.e. p85.6 above 0.25 s.
  assert {
    condition = {
      for key, alarm in aws_cloudwatch_metric_alarm.latency_burn : key => [alarm.extended_statistic, alarm.threshold, alarm.period]
      } == {
      "fast-long"  = ["p85.6", 0.25, 3600]
      "fast-short" = ["p85.6", 0.25, 300]
      "slow-long"  = ["p94", 0.25, 21600]
      "slow-short" = ["p94", 0.25, 1800]
    }
    error_message = "Latency burn-rate alarms must read p85.6 (14.4 x) and p94 (6 x) of TargetResponseTime against 0.25 s."
  }

  assert {
    condition     = aws_cloudwatch_composite_alarm.availability.alarm_rule == "(ALARM(\"users-info-error-ratio-60m-over-14.4x-budget\") AND ALARM(\"users-info-error-ratio-5m-over-14.4x-budget\")) OR (ALARM(\"users-info-error-ratio-360m-over-6x-budget\") AND ALARM(\"users-info-error-ratio-30m-over-6x-budget\"))"
    error_message = "The availability alarm must fire when both windows of a tier burn: ${aws_cloudwatch_composite_alarm.availability.alarm_rule}"
  }

  assert {
    condition     = aws_cloudwatch_composite_alarm.latency.alarm_rule == "(ALARM(\"users-info-p85.6-60m-over-0.25s\") AND ALARM(\"users-info-p85.6-5m-over-0.25s\")) OR (ALARM(\"users-info-p94-360m-over-0.25s\") AND ALARM(\"users-info-p94-30m-over-0.25s\"))"
    error_message = "The latency alarm must fire when both windows of a tier burn: ${aws_cloudwatch_composite_alarm.latency.alarm_rule}"
  }

  assert {
    condition = alltrue([
      for alarm in [aws_cloudwatch_composite_alarm.availability, aws_cloudwatch_composite_alarm.latency, aws_cloudwatch_metric_alarm.unhealthy_targets, aws_cloudwatch_metric_alarm.cpu] :
      alarm.alarm_actions == toset([aws_sns_topic.this.arn]) && alarm.ok_actions == toset([aws_sns_topic.this.arn])
    ])
    error_message = "Every alerting alarm must notify the SNS topic when it fires and when it clears."
  }

  assert {
    condition     = alltrue(concat([for a in aws_cloudwatch_metric_alarm.availability_burn : !a.actions_enabled], [for a in aws_cloudwatch_metric_alarm.latency_burn : !a.actions_enabled]))
    error_message = "Window alarms must not notify on their own; only the composite alarms page."
  }

  assert {
    condition = {
      for alarm in [aws_cloudwatch_composite_alarm.availability, aws_cloudwatch_composite_alarm.latency, aws_cloudwatch_metric_alarm.unhealthy_targets, aws_cloudwatch_metric_alarm.cpu] :
      alarm.alarm_name => regex("docs/runbooks/[A-Za-z]+\\.md$", alarm.alarm_description)
      } == {
      "users-info-UsersInfoAvailabilityBurnRate" = "docs/runbooks/UsersInfoAvailabilityBurnRate.md"
      "users-info-UsersInfoLatencyBurnRate"      = "docs/runbooks/UsersInfoLatencyBurnRate.md"
      "users-info-UsersInfoRestartingTooOften"   = "docs/runbooks/UsersInfoRestartingTooOften.md"
      "users-info-UsersInfoAtMaxReplicas"        = "docs/runbooks/UsersInfoAtMaxReplicas.md"
    }
    error_message = "Each alarm's description must end with the runbook of the alert it stands for."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.unhealthy_targets.threshold == 1 && aws_cloudwatch_metric_alarm.unhealthy_targets.statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.unhealthy_targets.period * aws_cloudwatch_metric_alarm.unhealthy_targets.evaluation_periods == 900 &&
      aws_cloudwatch_metric_alarm.unhealthy_targets.dimensions == tomap({ LoadBalancer = "app/users-info/50dc6c495c0c9188", TargetGroup = "targetgroup/users-info/73e2d6bc24d8a067" }) &&
      strcontains(aws_cloudwatch_metric_alarm.unhealthy_targets.alarm_description, "for 15 minutes")
    )
    error_message = "Unhealthy targets must alarm after 15 minutes with at least one, on this target group."
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.cpu.threshold == 90 && aws_cloudwatch_metric_alarm.cpu.statistic == "Average" &&
      aws_cloudwatch_metric_alarm.cpu.period * aws_cloudwatch_metric_alarm.cpu.evaluation_periods == 900 &&
      aws_cloudwatch_metric_alarm.cpu.dimensions == tomap({ ClusterName = "users-info", ServiceName = "users-info" })
    )
    error_message = "CPU must alarm above 90 % for 15 minutes on this service."
  }

  assert {
    condition = alltrue(concat(
      [for a in concat(values(aws_cloudwatch_metric_alarm.availability_burn), values(aws_cloudwatch_metric_alarm.latency_burn), [aws_cloudwatch_metric_alarm.unhealthy_targets, aws_cloudwatch_metric_alarm.cpu]) : a.treat_missing_data == "notBreaching"]
    ))
    error_message = "No data (no requests, no tasks reporting) is not an outage: every alarm treats missing data as not breaching."
  }

  assert {
    condition     = output.alarm_names == { UsersInfoAvailabilityBurnRate = "users-info-UsersInfoAvailabilityBurnRate", UsersInfoLatencyBurnRate = "users-info-UsersInfoLatencyBurnRate", UsersInfoRestartingTooOften = "users-info-UsersInfoRestartingTooOften", UsersInfoAtMaxReplicas = "users-info-UsersInfoAtMaxReplicas" }
    error_message = "alarm_names must name the four notifying alarms by their alert."
  }
}

# aws/sns, the AWS-managed key, cannot be used by CloudWatch (its key policy is fixed): alarms publishing to a
# topic encrypted with it fail on AWS, silently for the subscribers. No emulator enforces key policies, so
# only this test keeps it right.
run "topic_encrypted_with_a_key_cloudwatch_may_use" {
  command = apply

  module {
    source = "./modules/alarms"
  }

  assert {
    condition     = aws_sns_topic.this.kms_master_key_id == aws_kms_key.this.arn && aws_kms_key.this.enable_key_rotation
    error_message = "The topic must be encrypted with the module's own key (rotated), not alias/aws/sns."
  }

  assert {
    condition = [for s in jsondecode(aws_kms_key.this.policy).Statement : s if s.Sid == "CloudWatchAlarmsPublish"] == [{
      Sid       = "CloudWatchAlarmsPublish"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
      Resource  = "*"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
    error_message = "The key policy must let CloudWatch alarms of this account (only) generate data keys and decrypt: ${aws_kms_key.this.policy}"
  }

  assert {
    condition     = [for s in jsondecode(aws_kms_key.this.policy).Statement : s.Principal if s.Sid == "AccountIAMPolicies"] == [{ AWS = "arn:aws:iam::123456789012:root" }]
    error_message = "The key must stay manageable through the account's IAM policies (default key policy statement)."
  }

  assert {
    condition     = aws_kms_alias.this.name == "alias/users-info-alarms"
    error_message = "The key's alias must name the topic it encrypts."
  }
}

run "stricter_objectives_move_the_thresholds" {
  command = plan

  module {
    source = "./modules/alarms"
  }

  variables {
    availability_objective = 0.9995
    latency_objective      = 0.995
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.availability_burn["fast-long"].threshold == 0.0072 && aws_cloudwatch_metric_alarm.latency_burn["fast-long"].extended_statistic == "p92.8" && aws_cloudwatch_metric_alarm.latency_burn["slow-long"].extended_statistic == "p97"
    error_message = "Thresholds must follow the objectives: 14.4 x 0.05 % = 0.72 %; p92.8 and p97 for p99.5."
  }
}

# The timing an emulator test uses to see a warning within seconds (test/alarms_test.go).
run "compressed_warning_timing" {
  command = plan

  module {
    source = "./modules/alarms"
  }

  variables {
    warning_period_seconds     = 10
    warning_evaluation_periods = 3
  }

  assert {
    condition = alltrue([
      for a in [aws_cloudwatch_metric_alarm.unhealthy_targets, aws_cloudwatch_metric_alarm.cpu] :
      a.period == 10 && a.evaluation_periods == 3 && strcontains(a.alarm_description, "for 30 seconds")
    ])
    error_message = "Both warnings must use the given period and count, and say how long the condition lasted."
  }
}

run "subscriptions" {
  command = plan

  module {
    source = "./modules/alarms"
  }

  variables {
    alarm_subscriptions = [
      { protocol = "email", endpoint = "oncall@example.com" },
      { protocol = "sqs", endpoint = "arn:aws:sqs:eu-west-1:123456789012:pager" },
    ]
  }

  assert {
    condition     = { for key, s in aws_sns_topic_subscription.this : key => s.protocol } == { "email:oncall@example.com" = "email", "sqs:arn:aws:sqs:eu-west-1:123456789012:pager" = "sqs" }
    error_message = "Each subscriber must get one subscription of the topic."
  }
}

# Each validation, with a value it must reject.

run "rejects_percent_as_objective" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    availability_objective = 99.9
  }
  expect_failures = [var.availability_objective]
}

run "rejects_latency_objective_of_one" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    latency_objective = 1
  }
  expect_failures = [var.latency_objective]
}

run "rejects_latency_threshold_in_milliseconds" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    latency_threshold_seconds = 250
  }
  expect_failures = [var.latency_threshold_seconds]
}

run "rejects_cpu_alarm_above_100" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    cpu_alarm_percent = 120
  }
  expect_failures = [var.cpu_alarm_percent]
}

run "rejects_runbook_url_with_trailing_slash" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    runbook_base_url = "https://github.com/example/users-info/blob/main/docs/runbooks/"
  }
  expect_failures = [var.runbook_base_url]
}

run "rejects_unknown_subscription_protocol" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    alarm_subscriptions = [{ protocol = "slack", endpoint = "#oncall" }]
  }
  expect_failures = [var.alarm_subscriptions]
}

run "rejects_load_balancer_arn_instead_of_suffix" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    load_balancer_arn_suffix = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/users-info/50dc6c495c0c9188"
  }
  expect_failures = [var.load_balancer_arn_suffix]
}

run "rejects_target_group_name_instead_of_suffix" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    target_group_arn_suffix = "users-info"
  }
  expect_failures = [var.target_group_arn_suffix]
}

run "rejects_cluster_arn" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    ecs_cluster_name = "arn:aws:ecs:eu-west-1:123456789012:cluster/users-info"
  }
  expect_failures = [var.ecs_cluster_name]
}

run "rejects_service_arn" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    ecs_service_name = "arn:aws:ecs:eu-west-1:123456789012:service/users-info/users-info"
  }
  expect_failures = [var.ecs_service_name]
}

run "rejects_period_cloudwatch_does_not_accept" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    warning_period_seconds = 90
  }
  expect_failures = [var.warning_period_seconds]
}

run "rejects_warning_longer_than_a_day" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    warning_period_seconds     = 3600
    warning_evaluation_periods = 25
  }
  expect_failures = [var.warning_evaluation_periods]
}

run "rejects_bad_name" {
  command = plan
  module {
    source = "./modules/alarms"
  }
  variables {
    name = "Users Info"
  }
  expect_failures = [var.name]
}
