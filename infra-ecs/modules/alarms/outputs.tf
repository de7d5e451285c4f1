output "topic_arn" {
  description = "ARN of the SNS topic every notifying alarm publishes to, on ALARM and on OK; subscribe pagers and chat to it."
  value       = aws_sns_topic.this.arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the topic; its policy lets CloudWatch alarms of this account publish."
  value       = aws_kms_key.this.arn
}

output "alarm_names" {
  description = "Names of the alarms that notify, by the alert of the chart's rules they stand for (and share a runbook with)."
  value = {
    UsersInfoAvailabilityBurnRate = aws_cloudwatch_composite_alarm.availability.alarm_name
    UsersInfoLatencyBurnRate      = aws_cloudwatch_composite_alarm.latency.alarm_name
    UsersInfoRestartingTooOften   = aws_cloudwatch_metric_alarm.unhealthy_targets.alarm_name
    UsersInfoAtMaxReplicas        = aws_cloudwatch_metric_alarm.cpu.alarm_name
  }
}

output "window_alarm_names" {
  description = "Names of the burn-rate window alarms the composite alarms combine (they do not notify themselves), by objective and window (fast-long, fast-short, slow-long, slow-short)."
  value = {
    availability = { for key, alarm in aws_cloudwatch_metric_alarm.availability_burn : key => alarm.alarm_name }
    latency      = { for key, alarm in aws_cloudwatch_metric_alarm.latency_burn : key => alarm.alarm_name }
  }
}
