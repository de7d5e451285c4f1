data "aws_caller_identity" "current" {}

resource "terraform_data" "same_region_as_shared" {
  input = local.shared.region

  lifecycle {
    precondition {
      condition     = local.shared.region == var.region
      error_message = "region is ${var.region}, but infra-shared is in ${local.shared.region}: set region = \"${local.shared.region}\" (its VPC, repository and table are there)."
    }
  }
}

################################################################################
# Cluster and logs
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.name

  # Per-task CPU, memory, network and task counts in CloudWatch (ECS/ContainerInsights).
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
}

################################################################################
# IAM: the execution role (ECS pulls the image and ships logs) and the task role (the service itself)
################################################################################

# Policies are plain JSON (not aws_iam_policy_document data sources) so the plan tests read exactly what
# AWS receives.
locals {
  ecs_tasks_assume_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      # Only ECS acting for this account may assume the roles (confused-deputy protection).
      Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }
    }]
  })

  execution_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # ecr:GetAuthorizationToken has no resource-level permissions: AWS accepts only "*" for it. The
        # token alone reads nothing; pulling is limited to the service's repository below.
        Sid      = "EcrLogin"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid      = "PullServiceImage"
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        Resource = local.shared.ecr_repository_arn
      },
      {
        Sid      = "WriteServiceLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.this.arn}:log-stream:*"
      },
    ]
  })

  # Exactly the calls DynamoDbUserRepository and the /health check make, on the users table only;
  # transactions need the rights of the writes inside them (Put, Delete).
  task_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = local.shared.table_arn
    }]
  })
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = local.ecs_tasks_assume_policy
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-image-and-write-logs"
  role   = aws_iam_role.execution.id
  policy = local.execution_policy
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-ecs-task"
  assume_role_policy = local.ecs_tasks_assume_policy
}

resource "aws_iam_role_policy" "task" {
  name   = "users-table"
  role   = aws_iam_role.task.id
  policy = local.task_policy
}

################################################################################
# Task definition
################################################################################

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # The root filesystem is read-only; /tmp is the one writable place (JVM perf data, docs/image.md).
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    merge(
      {
        name      = local.container_name
        image     = local.image
        essential = true
        # The image's own user (65532, docs/image.md), stated so that a base image running as root cannot
        # slip in unnoticed.
        user                   = "65532:65532"
        readonlyRootFilesystem = true
        portMappings = [{
          name          = "http"
          containerPort = var.container_port
          protocol      = "tcp"
        }]
        environment = [
          for key, value in merge(var.environment, {
            USERS_INFO_DYNAMODB_TABLE  = local.shared.table_name
            USERS_INFO_DYNAMODB_REGION = var.region
          }) : { name = key, value = value }
        ]
        mountPoints = [{
          sourceVolume  = "tmp"
          containerPath = "/tmp"
          readOnly      = false
        }]
        # The service drains for up to 20 s after SIGTERM (docs/service.md); ECS waits this long before SIGKILL.
        stopTimeout = 30
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            awslogs-group         = aws_cloudwatch_log_group.this.name
            awslogs-region        = var.region
            awslogs-stream-prefix = "ecs"
            # A slow CloudWatch Logs must not block the service's stdout; lines beyond the buffer are dropped.
            mode            = "non-blocking"
            max-buffer-size = "25m"
          }
        }
      },
      var.container_health_check_command == null ? {} : {
        healthCheck = {
          command     = var.container_health_check_command
          interval    = 15
          timeout     = 5
          retries     = 3
          startPeriod = 30
        }
      },
    )
  ])
}

################################################################################
# Load balancer
################################################################################

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Load balancer of ${var.name}: listeners from alb_ingress_cidrs, to the tasks only"
  vpc_id      = local.shared.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "alb" {
  for_each = {
    for pair in setproduct(var.alb_ingress_cidrs, var.certificate_arn == null ? [80] : [80, 443]) :
    "${pair[0]}-${pair[1]}" => { cidr = pair[0], port = pair[1] }
  }

  security_group_id = aws_security_group.alb.id
  description       = "Listener ${each.value.port}"
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the tasks"
  referenced_security_group_id = aws_security_group.tasks.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Tasks of ${var.name}: HTTP from the load balancer only; HTTPS out (ECR, DynamoDB, CloudWatch Logs)"
  vpc_id      = local.shared.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "From the load balancer"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
}

resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "AWS APIs over HTTPS (through the NAT gateway)"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_lb" "this" {
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = var.alb_internal
  subnets                    = var.alb_internal ? local.shared.private_subnet_ids : local.shared.public_subnet_ids
  security_groups            = [aws_security_group.alb.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.alb_deletion_protection
}

resource "aws_lb_target_group" "this" {
  name        = var.name
  vpc_id      = local.shared.vpc_id
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.container_port
  # Longer than the service's 20 s graceful shutdown, so requests in flight finish before the task stops.
  deregistration_delay = 30

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 10
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = var.certificate_arn == null ? "forward" : "redirect"
    target_group_arn = var.certificate_arn == null ? aws_lb_target_group.this.arn : null

    dynamic "redirect" {
      for_each = var.certificate_arn == null ? [] : [1]
      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = var.certificate_arn == null ? 0 : 1

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

################################################################################
# Service
################################################################################

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this.arn
  launch_type     = "FARGATE"
  # Created with no task; from then on Application Auto Scaling owns the count (below): 0 while there is no
  # image_tag, min_capacity..max_capacity once there is. Raising its minimum starts the first tasks.
  desired_count = 0

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  # A deployment whose tasks do not become healthy stops and rolls back to the last working one.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }
  # JVM start plus the first readiness checks (about 5 s on a quarter vCPU, docs/image.md), with room.
  health_check_grace_period_seconds = 60

  network_configuration {
    subnets          = local.shared.private_subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.this.arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.http, aws_iam_role_policy.execution, aws_iam_role_policy.task]
}

################################################################################
# Application Auto Scaling
################################################################################

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this.name}"
  min_capacity       = local.capacity.min
  max_capacity       = local.capacity.max
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu-${var.cpu_target_percent}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "requests" {
  name               = "${var.name}-requests-${var.requests_per_target}"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.requests_per_target
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ALBRequestCountPerTarget"
      resource_label         = "${aws_lb.this.arn_suffix}/${aws_lb_target_group.this.arn_suffix}"
    }
  }
}
