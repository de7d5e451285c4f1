################################################################################
# Alarms -> SNS: the chart's objectives and warnings on this stack's load balancer and service
# (modules/alarms, docs/terraform.md "Alarms").
################################################################################

module "alarms" {
  source = "./modules/alarms"

  name                     = var.name
  load_balancer_arn_suffix = aws_lb.this.arn_suffix
  target_group_arn_suffix  = aws_lb_target_group.this.arn_suffix
  ecs_cluster_name         = aws_ecs_cluster.this.name
  ecs_service_name         = aws_ecs_service.this.name
  health_check_path        = var.health_check_path

  availability_objective    = var.availability_objective
  latency_objective         = var.latency_objective
  latency_threshold_seconds = var.latency_threshold_seconds
  cpu_alarm_percent         = var.cpu_alarm_percent
  cpu_target_percent        = var.cpu_target_percent
  max_capacity              = var.max_capacity

  runbook_base_url    = var.runbook_base_url
  alarm_subscriptions = var.alarm_subscriptions
}

# The alarms and their topic were resources of this module before they became modules/alarms: states applied
# before keep them (no alarm or topic is replaced; the topic only changes its key, in place).
moved {
  from = aws_sns_topic.alarms
  to   = module.alarms.aws_sns_topic.this
}

moved {
  from = aws_sns_topic_subscription.alarms
  to   = module.alarms.aws_sns_topic_subscription.this
}

moved {
  from = aws_cloudwatch_metric_alarm.availability_burn
  to   = module.alarms.aws_cloudwatch_metric_alarm.availability_burn
}

moved {
  from = aws_cloudwatch_metric_alarm.latency_burn
  to   = module.alarms.aws_cloudwatch_metric_alarm.latency_burn
}

moved {
  from = aws_cloudwatch_composite_alarm.availability
  to   = module.alarms.aws_cloudwatch_composite_alarm.availability
}

moved {
  from = aws_cloudwatch_composite_alarm.latency
  to   = module.alarms.aws_cloudwatch_composite_alarm.latency
}

moved {
  from = aws_cloudwatch_metric_alarm.unhealthy_targets
  to   = module.alarms.aws_cloudwatch_metric_alarm.unhealthy_targets
}

moved {
  from = aws_cloudwatch_metric_alarm.cpu
  to   = module.alarms.aws_cloudwatch_metric_alarm.cpu
}
