################################################################################
# Platform
################################################################################

variable "region" {
  description = "AWS region; must be the one infra-shared was applied in (checked against its outputs)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as eu-west-1 or us-east-1 (see `aws ec2 describe-regions`)."
  }
}

variable "name" {
  description = "Name of the service: cluster, service, load balancer, log group and alarm names derive from it."
  type        = string
  default     = "users-info"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 24 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (load balancer and target group names derive from it and AWS limits them to 32), e.g. users-info."
  }
}

variable "tags" {
  description = "Tags added to every resource (through the provider's default_tags), e.g. { team = \"platform\" }."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.tags) : !startswith(lower(key), "aws:")])
    error_message = "tags must not use the aws: prefix, which AWS reserves for itself; rename those keys."
  }

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) <= 128 && length(value) <= 256])
    error_message = "tags: each key must be at most 128 characters and each value at most 256 (AWS limits); shorten the longer ones."
  }
}

################################################################################
# Inputs from infra-shared
################################################################################

variable "shared_state" {
  description = "Where infra-shared's state is, as a terraform_remote_state backend and its config. The default reads the local state of ../infra-shared; with the S3 backend use { backend = \"s3\", config = { bucket = ..., key = ..., region = ... } }."
  type = object({
    backend = string
    config  = map(string)
  })
  default = {
    backend = "local"
    config  = { path = "../infra-shared/terraform.tfstate" }
  }

  validation {
    condition     = contains(["local", "s3"], var.shared_state.backend)
    error_message = "shared_state.backend must be \"local\" (config = { path = ... }) or \"s3\" (config = { bucket, key, region }), the two backends infra-shared documents."
  }

  validation {
    condition     = var.shared_state.backend != "local" || contains(keys(var.shared_state.config), "path")
    error_message = "shared_state with the local backend needs config.path, the path of infra-shared's terraform.tfstate (default ../infra-shared/terraform.tfstate)."
  }

  validation {
    condition     = var.shared_state.backend != "s3" || alltrue([for key in ["bucket", "key", "region"] : contains(keys(var.shared_state.config), key)])
    error_message = "shared_state with the s3 backend needs config.bucket, config.key and config.region: the values of infra-shared's backend configuration."
  }
}

variable "shared" {
  description = "infra-shared's outputs given directly instead of read from its state (e.g. by a wrapper that applies both). Null (the default) reads them through shared_state."
  type = object({
    region             = string
    vpc_id             = string
    public_subnet_ids  = list(string)
    private_subnet_ids = list(string)
    ecr_repository_url = string
    ecr_repository_arn = string
    table_name         = string
    table_arn          = string
  })
  default = null

  validation {
    condition     = var.shared == null || (length(try(var.shared.public_subnet_ids, [])) >= 2 && length(try(var.shared.private_subnet_ids, [])) >= 2)
    error_message = "shared must list at least two public and two private subnets (an Application Load Balancer needs two zones), as infra-shared's outputs do."
  }

  validation {
    condition     = var.shared == null || can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]+$", try(var.shared.table_arn, "")))
    error_message = "shared.table_arn must be a DynamoDB table ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME): infra-shared's table_arn output."
  }
}

################################################################################
# Task
################################################################################

variable "image_tag" {
  description = "Tag of the service's image in infra-shared's ECR repository. Null (the default) until the first image is pushed: the service then exists with no tasks (desired count and autoscaling capacity 0), so the first apply never waits for an image that is not there."
  type        = string
  default     = null

  validation {
    condition     = var.image_tag == null || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", coalesce(var.image_tag, "x")))
    error_message = "image_tag must be a Docker tag (letters, digits, '_', '.', '-', at most 128 characters, not starting with '.' or '-'), e.g. 0.1.0 or git-3f2a9c1; or null before the first push."
  }
}

variable "cpu" {
  description = "CPU units of a task (1024 = one vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate task size: 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = one vCPU)."
  }
}

variable "memory" {
  description = "Memory of a task in MiB; Fargate allows per cpu: 256 -> 512, 1024, 2048; 512 -> 1024 to 4096; 1024 -> 2048 to 8192; 2048 -> 4096 to 16384; 4096 -> 8192 to 30720 (steps of 1024); 8192 -> 16384 to 61440 (steps of 4096); 16384 -> 32768 to 122880 (steps of 8192). The image's JVM sizes its heap as a share of it (docs/image.md)."
  type        = number
  default     = 512

  validation {
    condition = (
      var.cpu == 256 ? contains([512, 1024, 2048], var.memory) :
      var.cpu == 512 ? var.memory >= 1024 && var.memory <= 4096 && var.memory % 1024 == 0 :
      var.cpu == 1024 ? var.memory >= 2048 && var.memory <= 8192 && var.memory % 1024 == 0 :
      var.cpu == 2048 ? var.memory >= 4096 && var.memory <= 16384 && var.memory % 1024 == 0 :
      var.cpu == 4096 ? var.memory >= 8192 && var.memory <= 30720 && var.memory % 1024 == 0 :
      var.cpu == 8192 ? var.memory >= 16384 && var.memory <= 61440 && var.memory % 4096 == 0 :
      var.memory >= 32768 && var.memory <= 122880 && var.memory % 8192 == 0
    )
    error_message = "memory does not fit cpu on Fargate: with cpu 256 use 512, 1024 or 2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720 (steps of 1024); 8192: 16384-61440 (steps of 4096); 16384: 32768-122880 (steps of 8192)."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture of the tasks: X86_64 or ARM64 (Graviton, about 20 % cheaper); the image must be built for it."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64, the architecture the image was built for."
  }
}

variable "container_port" {
  description = "Port the service listens on inside the task (its HTTP port, 8080 in the image)."
  type        = number
  default     = 8080

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number from 1024 to 65535: the image runs as a non-root user, which cannot listen below 1024."
  }
}

variable "environment" {
  description = "Extra environment variables of the container, e.g. { USERS_INFO_DYNAMODB_CALL_TIMEOUT = \"2s\" } (settings: docs/service.md). The table name and region are set from infra-shared."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.environment), ["USERS_INFO_DYNAMODB_TABLE", "USERS_INFO_DYNAMODB_REGION"])) == 0
    error_message = "environment must not set USERS_INFO_DYNAMODB_TABLE or USERS_INFO_DYNAMODB_REGION: they come from infra-shared's outputs (table_name, region), so the task always uses the table its role may access."
  }
}

variable "container_health_check_command" {
  description = "Command of the container-level health check, in ECS form (e.g. [\"CMD\", \"/probe\", \"http://127.0.0.1:8080/health/readiness\"]), for images that ship an HTTP client. Null (the default): the image has neither shell nor HTTP client (docs/image.md), so readiness is checked by the load balancer's health check on health_check_path, which ECS acts on (it replaces targets that fail it)."
  type        = list(string)
  default     = null

  validation {
    condition     = var.container_health_check_command == null || contains(["CMD", "CMD-SHELL"], try(var.container_health_check_command[0], ""))
    error_message = "container_health_check_command must start with \"CMD\" (exec form) or \"CMD-SHELL\" (needs a shell in the image), e.g. [\"CMD\", \"/probe\", \"http://127.0.0.1:8080/health/readiness\"]."
  }
}

variable "health_check_path" {
  description = "HTTP path the load balancer checks on each task: the service's readiness (it reports the users table but stays 200 while the table does not answer, so a DynamoDB outage does not make ECS replace every task)."
  type        = string
  default     = "/health/readiness"

  validation {
    condition     = startswith(var.health_check_path, "/") && length(var.health_check_path) <= 1024
    error_message = "health_check_path must be an absolute path such as /health/readiness (at most 1024 characters)."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the service's logs."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

################################################################################
# Load balancer
################################################################################

variable "alb_internal" {
  description = "Make the load balancer internal (private subnets, reachable from the VPC only) instead of internet-facing."
  type        = bool
  default     = false
}

variable "alb_ingress_cidrs" {
  description = "IPv4 ranges allowed to reach the load balancer's listeners."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.alb_ingress_cidrs) > 0 && alltrue([for cidr in var.alb_ingress_cidrs : can(cidrhost(cidr, 0)) && strcontains(cidr, ".")])
    error_message = "alb_ingress_cidrs must list at least one IPv4 CIDR block, e.g. [\"203.0.113.0/24\"] or [\"0.0.0.0/0\"] for everyone."
  }
}

variable "certificate_arn" {
  description = "ACM certificate ARN for HTTPS on 443 (then port 80 redirects to it). Null (the default) serves plain HTTP on 80: fine for a first deployment, not for real users."
  type        = string
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", coalesce(var.certificate_arn, "x")))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID) or null for plain HTTP."
  }
}

variable "alb_deletion_protection" {
  description = "Refuse to delete the load balancer (also through Terraform). Turn on for production."
  type        = bool
  default     = false
}

################################################################################
# Capacity
################################################################################

variable "min_capacity" {
  description = "Fewest tasks Application Auto Scaling keeps once an image_tag is set."
  type        = number
  default     = 1

  validation {
    condition     = var.min_capacity >= 1 && floor(var.min_capacity) == var.min_capacity
    error_message = "min_capacity must be a whole number of at least 1 (before the first image, capacity is 0 anyway; see image_tag); use 2 or more to survive the loss of a zone."
  }
}

variable "max_capacity" {
  description = "Most tasks Application Auto Scaling may run."
  type        = number
  default     = 10

  validation {
    condition     = var.max_capacity >= var.min_capacity && var.max_capacity <= 1000 && floor(var.max_capacity) == var.max_capacity
    error_message = "max_capacity must be a whole number from min_capacity to 1000."
  }
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation of the service that target tracking keeps (percent)."
  type        = number
  default     = 80

  validation {
    condition     = var.cpu_target_percent >= 10 && var.cpu_target_percent <= 95
    error_message = "cpu_target_percent must be from 10 to 95: above 95 there is no headroom left to absorb a burst while new tasks start."
  }
}

variable "requests_per_target" {
  description = "ALB requests per task per minute that target tracking keeps (ALBRequestCountPerTarget); set it from a load test of one task."
  type        = number
  default     = 1000

  validation {
    condition     = var.requests_per_target >= 1 && floor(var.requests_per_target) == var.requests_per_target
    error_message = "requests_per_target must be a whole number of requests per task per minute, at least 1."
  }
}

################################################################################
# Alarms: the service level objectives of docs/alerting.md, passed to modules/alarms, which validates them
################################################################################

variable "availability_objective" {
  description = "Share of requests that must not answer 5xx over 30 days (the chart's alerts.availability.objective)."
  type        = number
  default     = 0.999
}

variable "latency_objective" {
  description = "Share of requests that must complete within latency_threshold_seconds (the chart's alerts.latency.objective; 0.99 = p99)."
  type        = number
  default     = 0.99
}

variable "latency_threshold_seconds" {
  description = "Response time the latency objective is about, in seconds (the chart's alerts.latency.thresholdSeconds)."
  type        = number
  default     = 0.25
}

variable "cpu_alarm_percent" {
  description = "Average CPU utilisation above which, sustained for 15 minutes, the service is out of capacity (scaling targets cpu_target_percent, so it stays above only at max_capacity)."
  type        = number
  default     = 90
}

variable "runbook_base_url" {
  description = "Where docs/runbooks of this repository can be read; each alarm's description links <this>/<alert>.md (as the chart's alerts.runbookBaseUrl)."
  type        = string
  default     = "https://github.com/example/users-info/blob/main/docs/runbooks"
}

variable "alarm_subscriptions" {
  description = "Subscribers of the alarm topic, e.g. [{ protocol = \"email\", endpoint = \"oncall@example.com\" }] or an https endpoint of a pager."
  type = list(object({
    protocol = string
    endpoint = string
  }))
  default = []
}
