################################################################################
# What the alarms watch
################################################################################

variable "name" {
  description = "Name of the service: the topic (<name>-alarms), its key alias and every alarm name start with it."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,62}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 64 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen, e.g. users-info."
  }
}

variable "load_balancer_arn_suffix" {
  description = "The Application Load Balancer's arn_suffix (app/NAME/ID), the LoadBalancer dimension of its CloudWatch metrics."
  type        = string

  validation {
    condition     = can(regex("^app/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer_arn_suffix))
    error_message = "load_balancer_arn_suffix must be an Application Load Balancer's arn_suffix, app/NAME/ID (aws_lb.this.arn_suffix), not its ARN or name."
  }
}

variable "target_group_arn_suffix" {
  description = "The service's target group arn_suffix (targetgroup/NAME/ID), the TargetGroup dimension of UnHealthyHostCount."
  type        = string

  validation {
    condition     = can(regex("^targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.target_group_arn_suffix))
    error_message = "target_group_arn_suffix must be a target group's arn_suffix, targetgroup/NAME/ID (aws_lb_target_group.this.arn_suffix), not its ARN or name."
  }
}

variable "ecs_cluster_name" {
  description = "Name of the ECS cluster the service runs in (ClusterName dimension of AWS/ECS CPUUtilization)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_cluster_name))
    error_message = "ecs_cluster_name must be an ECS cluster name: 1 to 255 letters, digits, hyphens and underscores (not its ARN)."
  }
}

variable "ecs_service_name" {
  description = "Name of the ECS service (ServiceName dimension of AWS/ECS CPUUtilization)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_service_name))
    error_message = "ecs_service_name must be an ECS service name: 1 to 255 letters, digits, hyphens and underscores (not its ARN)."
  }
}

################################################################################
# Objectives (the chart's alerts.* values, docs/alerting.md)
################################################################################

variable "availability_objective" {
  description = "Share of requests that must not answer 5xx over 30 days (the chart's alerts.availability.objective)."
  type        = number
  default     = 0.999

  validation {
    condition     = var.availability_objective > 0.9 && var.availability_objective < 1
    error_message = "availability_objective must be a fraction between 0.9 and 1 (exclusive), e.g. 0.999 for 99.9 %."
  }
}

variable "latency_objective" {
  description = "Share of requests that must complete within latency_threshold_seconds (the chart's alerts.latency.objective; 0.99 = p99)."
  type        = number
  default     = 0.99

  validation {
    condition     = var.latency_objective >= 0.9 && var.latency_objective < 1
    error_message = "latency_objective must be a fraction from 0.9 to 1 (exclusive), e.g. 0.99 for p99."
  }
}

variable "latency_threshold_seconds" {
  description = "Response time the latency objective is about, in seconds (the chart's alerts.latency.thresholdSeconds)."
  type        = number
  default     = 0.25

  validation {
    condition     = var.latency_threshold_seconds > 0 && var.latency_threshold_seconds <= 60
    error_message = "latency_threshold_seconds must be above 0 and at most 60 (the load balancer's default idle timeout), e.g. 0.25."
  }
}

################################################################################
# Warnings
################################################################################

variable "cpu_alarm_percent" {
  description = "Average CPU utilisation of the service above which, sustained, it is out of capacity (scaling targets cpu_target_percent, so it stays above only at max_capacity)."
  type        = number
  default     = 90

  validation {
    condition     = var.cpu_alarm_percent > 0 && var.cpu_alarm_percent <= 100
    error_message = "cpu_alarm_percent must be a percentage above 0 and at most 100, and should exceed cpu_target_percent."
  }
}

variable "cpu_target_percent" {
  description = "CPU utilisation the service's target tracking keeps; the CPU alarm's description names it."
  type        = number
  default     = 80
}

variable "max_capacity" {
  description = "Most tasks autoscaling may run; the CPU alarm's description names it."
  type        = number
  default     = 10
}

variable "health_check_path" {
  description = "Path the target group checks; the unhealthy-targets alarm's description names it."
  type        = string
  default     = "/health/readiness"
}

variable "warning_period_seconds" {
  description = "Period of the two warning alarms (unhealthy targets, CPU). They fire after warning_evaluation_periods breaching periods in a row: 3 x 300 s = 15 minutes, the `for` of the chart's warning alerts. Load balancer and ECS metrics are per minute, so use a multiple of 60 on AWS; 10 and 30 (high resolution) exist for emulators and tests that compress time."
  type        = number
  default     = 300

  validation {
    condition     = contains([10, 30], var.warning_period_seconds) || (var.warning_period_seconds >= 60 && var.warning_period_seconds % 60 == 0)
    error_message = "warning_period_seconds must be 10, 30 or a multiple of 60 (the periods CloudWatch alarms accept), e.g. 300."
  }
}

variable "warning_evaluation_periods" {
  description = "Breaching periods in a row before a warning alarm fires (see warning_period_seconds)."
  type        = number
  default     = 3

  validation {
    condition     = var.warning_evaluation_periods >= 1 && floor(var.warning_evaluation_periods) == var.warning_evaluation_periods && var.warning_evaluation_periods * var.warning_period_seconds <= 86400
    error_message = "warning_evaluation_periods must be a whole number of at least 1, and warning_evaluation_periods x warning_period_seconds at most 86400 (CloudWatch evaluates at most one day)."
  }
}

################################################################################
# Notifications
################################################################################

variable "runbook_base_url" {
  description = "Where docs/runbooks of this repository can be read; each alarm's description links <this>/<alert>.md (as the chart's alerts.runbookBaseUrl)."
  type        = string
  default     = "https://github.com/example/users-info/blob/main/docs/runbooks"

  validation {
    condition     = can(regex("^https?://[^ ]+[^/]$", var.runbook_base_url))
    error_message = "runbook_base_url must be an http(s) URL without a trailing slash, e.g. https://github.com/ORG/REPO/blob/main/docs/runbooks."
  }
}

variable "alarm_subscriptions" {
  description = "Subscribers of the alarm topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }], an https endpoint of a pager, or an SQS queue ARN (whose queue policy must let the topic send)."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.alarm_subscriptions : contains(["email", "email-json", "https", "sqs", "lambda"], s.protocol)])
    error_message = "alarm_subscriptions: protocol must be email, email-json, https, sqs or lambda."
  }
}

variable "tags" {
  description = "Tags of the key, topic and alarms (a stack with the provider's default_tags needs none)."
  type        = map(string)
  default     = {}
}
