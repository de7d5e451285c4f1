output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "Name of the ECS service (aws ecs update-service --cluster CLUSTER --service SERVICE)."
  value       = aws_ecs_service.this.name
}

output "task_definition_arn" {
  description = "ARN of the task definition revision this apply registered."
  value       = aws_ecs_task_definition.this.arn
}

output "image" {
  description = "Image the task definition runs (REPOSITORY:TAG); the tag is no-image-yet until image_tag is set."
  value       = local.image
}

output "capacity" {
  description = "Bounds of Application Auto Scaling: 0..0 until image_tag is set, then min_capacity..max_capacity."
  value       = local.capacity
}

output "url" {
  description = "URL of the service through its load balancer."
  value       = "${var.certificate_arn == null ? "http" : "https"}://${aws_lb.this.dns_name}"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (for a CNAME or alias record)."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Route 53 hosted zone of the load balancer (for an alias record)."
  value       = aws_lb.this.zone_id
}

output "target_group_arn" {
  description = "ARN of the target group the tasks register in."
  value       = aws_lb_target_group.this.arn
}

output "log_group_name" {
  description = "CloudWatch Logs group of the service's output."
  value       = aws_cloudwatch_log_group.this.name
}

output "task_role_arn" {
  description = "ARN of the role the service runs as (may use the users table only)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the role ECS uses to pull the image and write logs."
  value       = aws_iam_role.execution.arn
}

output "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm notifies; subscribe pagers and chat to it."
  value       = module.alarms.topic_arn
}

output "alarm_names" {
  description = "Names of the alarms that notify the topic, by the chart's alert they stand for (and share a runbook with)."
  value       = module.alarms.alarm_names
}
