################################################################################
# Alarms -> SNS. The same objectives and alerts as the chart's Prometheus rules (docs/alerting.md,
# infra-eks/chart/users-info/templates/_alert-rules.tpl), read from CloudWatch's load balancer and ECS
# metrics; every description names the runbook of the alert it stands for.
################################################################################

resource "aws_sns_topic" "alarms" {
  name = "${var.name}-alarms"
  # Encrypted with the AWS-managed key for SNS; CloudWatch may publish to it (key policy of aws/sns).
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "alarms" {
  for_each = { for s in var.alarm_subscriptions : "${s.protocol}:${s.endpoint}" => s }

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = each.value.protocol
  endpoint  = each.value.endpoint
}

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
        dimensions  = { LoadBalancer = aws_lb.this.arn_suffix }
        period      = each.value.period
        stat        = "Sum"
      }
    }
  }
}

# Latency: "more than burn x budget of the requests slower than the threshold" read as a percentile of
# TargetResponseTime (locals.tf: p85.6 at 14.4x, p94 at 6x for a p99 objective).
resource "aws_cloudwatch_metric_alarm" "latency_burn" {
  for_each = local.burn_alarms

  alarm_name          = "${var.name}-${local.latency_percentiles[each.key]}-${each.value.period / 60}m-over-${var.latency_threshold_seconds}s"
  alarm_description   = "Part of ${var.name}-UsersInfoLatencyBurnRate (${each.key}): ${local.latency_percentiles[each.key]} of response time over ${each.value.period / 60} min above ${var.latency_threshold_seconds} s, i.e. slow requests above ${each.value.burn} x the budget of the p${var.latency_objective * 100} objective. Runbook: ${local.runbook.UsersInfoLatencyBurnRate}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  dimensions          = { LoadBalancer = aws_lb.this.arn_suffix }
  extended_statistic  = local.latency_percentiles[each.key]
  period              = each.value.period
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_threshold_seconds
  treat_missing_data  = "notBreaching"
  actions_enabled     = false
}

resource "aws_cloudwatch_composite_alarm" "availability" {
  alarm_name        = "${var.name}-UsersInfoAvailabilityBurnRate"
  alarm_description = "critical: ${var.name} is answering 5xx fast enough to exhaust its 30-day error budget (objective ${var.availability_objective * 100} %) within days: above 14.4 x the budget over 1 h and 5 min, or 6 x over 6 h and 30 min. Runbook: ${local.runbook.UsersInfoAvailabilityBurnRate}"
  alarm_rule        = join(" OR ", [for tier in keys(local.burn_windows) : "(ALARM(\"${aws_cloudwatch_metric_alarm.availability_burn["${tier}-long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.availability_burn["${tier}-short"].alarm_name}\"))"])
  alarm_actions     = [aws_sns_topic.alarms.arn]
  ok_actions        = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_composite_alarm" "latency" {
  alarm_name        = "${var.name}-UsersInfoLatencyBurnRate"
  alarm_description = "critical: ${var.name} is too slow for its objective (p${var.latency_objective * 100} under ${var.latency_threshold_seconds} s) at a rate that exhausts the budget within days: same windows as availability. Runbook: ${local.runbook.UsersInfoLatencyBurnRate}"
  alarm_rule        = join(" OR ", [for tier in keys(local.burn_windows) : "(ALARM(\"${aws_cloudwatch_metric_alarm.latency_burn["${tier}-long"].alarm_name}\") AND ALARM(\"${aws_cloudwatch_metric_alarm.latency_burn["${tier}-short"].alarm_name}\"))"])
  alarm_actions     = [aws_sns_topic.alarms.arn]
  ok_actions        = [aws_sns_topic.alarms.arn]
}

# Tasks failing the readiness check for 15 minutes: ECS keeps replacing them and it does not help, the ECS
# form of UsersInfoRestartingTooOften.
resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  alarm_name          = "${var.name}-UsersInfoRestartingTooOften"
  alarm_description   = "warning: ${var.name} has had unhealthy targets (failing ${var.health_check_path}) for 15 minutes; replacing tasks is not fixing it. Runbook: ${local.runbook.UsersInfoRestartingTooOften}"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = aws_lb.this.arn_suffix, TargetGroup = aws_lb_target_group.this.arn_suffix }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# CPU above the scaling target for 15 minutes: target tracking would have added tasks unless it is at
# max_capacity, the ECS form of UsersInfoAtMaxReplicas.
resource "aws_cloudwatch_metric_alarm" "cpu" {
  alarm_name          = "${var.name}-UsersInfoAtMaxReplicas"
  alarm_description   = "warning: ${var.name} has averaged more than ${var.cpu_alarm_percent} % CPU for 15 minutes although scaling targets ${var.cpu_target_percent} %: it is at max_capacity (${var.max_capacity} tasks) or cannot start tasks. Runbook: ${local.runbook.UsersInfoAtMaxReplicas}"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.this.name }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_alarm_percent
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}
