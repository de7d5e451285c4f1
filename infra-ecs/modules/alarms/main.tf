################################################################################
# The service level objectives and warnings of the chart's Prometheus rules (docs/alerting.md,
# infra-eks/chart/users-info/templates/_alert-rules.tpl) as CloudWatch alarms on an Application Load
# Balancer and an ECS service, notifying one SNS topic. Every description names the runbook of the alert it
# stands for.
################################################################################

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id

  # Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"), the same pairs as the
  # chart's critical UsersInfoAvailabilityBurnRate / UsersInfoLatencyBurnRate: a composite alarm fires when
  # the long AND the short window of a tier burn the 30-day error budget faster than `burn`.
  burn_windows = {
    fast = { burn = 14.4, long = 3600, short = 300 }
    slow = { burn = 6, long = 21600, short = 1800 }
  }
  # One CloudWatch alarm per (tier, window); a composite alarm per objective ORs the tiers and ANDs the windows.
  burn_alarms = merge([
    for tier, w in local.burn_windows : {
      "${tier}-long"  = { tier = tier, burn = w.burn, period = w.long }
      "${tier}-short" = { tier = tier, burn = w.burn, period = w.short }
    }
  ]...)

  # Budgets rounded to what the objectives say (0.999 -> 0.001), not to binary fractions.
  availability_budget = tonumber(format("%.6f", 1 - var.availability_objective))
  latency_budget      = tonumber(format("%.6f", 1 - var.latency_objective))

  # Availability: share of requests answered 5xx (by the service or by the load balancer for it) above
  # burn x budget.
  availability_thresholds = { for key, a in local.burn_alarms : key => tonumber(format("%.6f", a.burn * local.availability_budget)) }
  # Latency: "more than burn x budget of requests slower than T" is "percentile 100 x (1 - burn x budget)
  # above T": p85.6 > 0.25 s at 14.4x a 1 % budget, p94 > 0.25 s at 6x. The same SLI as the chart's
  # slow-request ratio, read from the load balancer's TargetResponseTime distribution.
  latency_percentiles = { for key, a in local.burn_alarms : key => format("p%g", tonumber(format("%.4f", 100 * (1 - a.burn * local.latency_budget)))) }

  # How long a warning condition must hold: 15 minutes by default, the `for` of the chart's warning alerts.
  warning_seconds = var.warning_period_seconds * var.warning_evaluation_periods
  warning_for     = local.warning_seconds % 60 == 0 ? "${local.warning_seconds / 60} minutes" : "${local.warning_seconds} seconds"

  runbook = {
    for alert in ["UsersInfoAvailabilityBurnRate", "UsersInfoLatencyBurnRate", "UsersInfoRestartingTooOften", "UsersInfoAtMaxReplicas"] :
    alert => "${var.runbook_base_url}/${alert}.md"
  }

  topic_actions = [aws_sns_topic.this.arn]
}

################################################################################
# Topic
################################################################################

# CloudWatch cannot publish to a topic encrypted with the AWS-managed key aws/sns: its key policy does not let
# cloudwatch.amazonaws.com use it and cannot be changed, so every notification would fail ("CloudWatch Alarms
# does not have authorization to access the SNS topic encryption key"). Hence a key of the module's own.
resource "aws_kms_key" "this" {
  description             = "Encrypts the SNS topic ${var.name}-alarms; CloudWatch alarms of this account may use it to publish"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The default key policy: the account's IAM policies decide who else may use or manage the key.
        # Without it nobody could change or delete the key any more.
        Sid       = "AccountIAMPolicies"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # What publishing to an encrypted topic takes, for alarms of this account only (confused-deputy
        # protection).
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-alarms"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_sns_topic" "this" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "this" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.this.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

################################################################################
# Critical: burn rates of the availability and latency objectives
################################################################################

# Availability: share of requests answered 5xx, per burn-rate window. 5xx from the tasks and 5xx the load
# balancer answers for them (timeouts, no target at all) both hurt users. RequestCount leaves out requests
# for which the load balancer found no target, so its 5xx are added to the denominator too: with no task
# at all the ratio is 1, not "no data". (502/504 are then counted twice there, which lowers the ratio
# only when it is far above any threshold.) Windows without any request give no data, which is not an
# outage (notBreaching).
resource "aws_cloudwatch_metric_alarm" "availability_burn" {
  for_each = local.burn_alarms

  alarm_name          = "${var.name}-error-ratio-${each.value.period / 60}m-over-${each.value.burn}x-budget"
  alarm_description   = "Part of ${var.name}-UsersInfoAvailabilityBurnRate (${each.key}): 5xx ratio over ${each.value.period / 60} min above ${each.value.burn} x the error budget of ${var.availability_objective * 100} %. Runbook: ${local.runbook.UsersInfoAvailabilityBurnRate}"
  comparison_operator = "GreaterThanThreshold"
  threshold           = local.availability_thresholds[each.key]
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  # Only the composite alarm notifies.
  actions_enabled = false
  tags            = var.tags

  metric_query {
    id          = "ratio"
    expression  = "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / (FILL(requests, 0) + FILL(elb5xx, 0))"
    label       = "5xx ratio"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = {
      target5xx = "HTTPCode_Target_5XX_Count"
      elb5xx    = "HTTPCode_ELB_5XX_Count"
      requests  = "RequestCount"
    }
    content {
      id = metric_query.key
      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
        period      = each.value.period
        stat        = "Sum"
      }
    }
  }
}

# Latency: "more than burn x budget of the requests slower than the threshold" read as a percentile of
# TargetResponseTime (p85.6 at 14.4x, p94 at 6x for a p99 objective).
resource "aws_cloudwatch_metric_alarm" "latency_burn" {
  for_each = local.burn_alarms

  alarm_name          = "${var.name}-${local.latency_percentiles[each.key]}-${each.value.period / 60}m-over-${var.latency_threshold_seconds}s"
  alarm_description   = "Part of ${var.name}-UsersInfoLatencyBurnRate (${each.key}): ${local.latency_percentiles[each.key]} of response time over ${each.value.period / 60} min above ${var.latency_threshold_seconds} s, i.e. slow requests above ${each.value.burn} x the budget of the p${var.latency_objective * 100} objective. Runbook: ${local.runbook.UsersInfoLatencyBurnRate}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix }
  extended_statistic  = local.latency_percentiles[each.key]
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_threshold_seconds
  treat_missing_data  = "notBreaching"
  actions_enabled     = false
  tags                = var.tags
}

resource "aws_cloudwatch_composite_alarm" "availability" {
  alarm_name        = "${var.name}-UsersInfoAvailabilityBurnRate"
  alarm_description = "critical: ${var.name} is answering 5xx fast enough to exhaust its 30-day error budget (objective ${var.availability_objective * 100} %) within days: above 14.4 x the budget over 1 h and 5 min, or 6 x over 6 h and 30 min. Runbook: ${local.runbook.UsersInfoAvailabilityBurnRate}"
  alarm_rule        = join(" OR ", [for tier in keys(local.burn_windows) : "(ALARM(\"${aws_cloudwatch_metric_alarm.availability_burn["${tier}-long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.availability_burn["${tier}-short"].alarm_name}\"))"])
  alarm_actions     = local.topic_actions
  ok_actions        = local.topic_actions
  tags              = var.tags
}

resource "aws_cloudwatch_composite_alarm" "latency" {
  alarm_name        = "${var.name}-UsersInfoLatencyBurnRate"
  alarm_description = "critical: ${var.name} is too slow for its objective (p${var.latency_objective * 100} under ${var.latency_threshold_seconds} s) at a rate that exhausts the budget within days: same windows as availability. Runbook: ${local.runbook.UsersInfoLatencyBurnRate}"
  alarm_rule        = join(" OR ", [for tier in keys(local.burn_windows) : "(ALARM(\"${aws_cloudwatch_metric_alarm.latency_burn["${tier}-long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.latency_burn["${tier}-short"].alarm_name}\"))"])
  alarm_actions     = local.topic_actions
  ok_actions        = local.topic_actions
  tags              = var.tags
}

################################################################################
# Warnings
################################################################################

# Tasks failing the readiness check for 15 minutes: ECS keeps replacing them and it does not help, the ECS
# form of UsersInfoRestartingTooOften.
resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  alarm_name          = "${var.name}-UsersInfoRestartingTooOften"
  alarm_description   = "warning: ${var.name} has had unhealthy targets (failing ${var.health_check_path}) for ${local.warning_for}; replacing tasks is not fixing it. Runbook: ${local.runbook.UsersInfoRestartingTooOften}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = var.warning_period_seconds
  evaluation_periods  = var.warning_evaluation_periods
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}

# CPU above the scaling target for 15 minutes: target tracking would have added tasks unless it is at
# max_capacity, the ECS form of UsersInfoAtMaxReplicas.
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-UsersInfoAtMaxReplicas"
  alarm_description   = "warning: ${var.name} has averaged more than ${var.cpu_alarm_percent} % CPU for ${local.warning_for} although scaling targets ${var.cpu_target_percent} %: it is at max_capacity (${var.max_capacity} tasks) or cannot start tasks. Runbook: ${local.runbook.UsersInfoAtMaxReplicas}"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.ecs_cluster_name, ServiceName = var.ecs_service_name }
  statistic           = "Average"
  period              = var.warning_period_seconds
  evaluation_periods  = var.warning_evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_alarm_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.topic_actions
  ok_actions          = local.topic_actions
  tags                = var.tags
}
