# Plan-level tests of infra-ecs: the AWS provider is mocked; infra-shared's outputs come from a fixture
# state file (the terraform_remote_state path, as in real use; not named *.tfstate, which git ignores) or
# from var.shared.

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
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/6f1d2c3b-1111-2222-3333-444455556666" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/users-info" }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/users-info/50dc6c495c0c9188"
      arn_suffix = "app/users-info/50dc6c495c0c9188"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/users-info/73e2d6bc24d8a067"
      arn_suffix = "targetgroup/users-info/73e2d6bc24d8a067"
    }
  }
}

override_resource {
  target = aws_iam_role.task
  values = { arn = "arn:aws:iam::123456789012:role/users-info-ecs-task" }
}

override_resource {
  target = aws_iam_role.execution
  values = { arn = "arn:aws:iam::123456789012:role/users-info-ecs-execution" }
}

variables {
  region = "eu-west-1"
  shared_state = {
    backend = "local"
    config  = { path = "tests/fixtures/infra-shared.state.json" }
  }
}

run "reads_shared_outputs_from_its_state" {
  command = plan

  assert {
    condition     = aws_security_group.tasks.vpc_id == "vpc-0fixture" && aws_lb.this.subnets == toset(["subnet-0pub-a", "subnet-0pub-b"])
    error_message = "The load balancer and security groups must use infra-shared's VPC and public subnets."
  }

  assert {
    condition     = aws_ecs_service.this.network_configuration[0].subnets == toset(["subnet-0priv-a", "subnet-0priv-b"]) && !aws_ecs_service.this.network_configuration[0].assign_public_ip
    error_message = "Tasks must run in infra-shared's private subnets without public addresses."
  }
}

run "no_image_means_no_task" {
  command = plan

  assert {
    condition     = aws_ecs_service.this.desired_count == 0
    error_message = "Without image_tag the service must be created with no task."
  }

  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 0 && aws_appautoscaling_target.this.max_capacity == 0
    error_message = "Without image_tag, autoscaling must not be able to start tasks (capacity 0..0), got ${aws_appautoscaling_target.this.min_capacity}..${aws_appautoscaling_target.this.max_capacity}."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/users-info:no-image-yet"
    error_message = "Without image_tag the task definition must name the placeholder tag."
  }
}

run "image_tag_opens_capacity" {
  command = plan

  variables {
    image_tag = "0.1.0"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/users-info:0.1.0"
    error_message = "The task must run infra-shared's repository at image_tag."
  }

  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 1 && aws_appautoscaling_target.this.max_capacity == 10
    error_message = "With an image, capacity must be min_capacity..max_capacity (1..10 by default)."
  }

  assert {
    condition     = aws_ecs_service.this.desired_count == 0
    error_message = "The service's own count stays 0: raising autoscaling's minimum starts the tasks, so Terraform and autoscaling never fight over it."
  }
}

run "task_definition" {
  command = plan

  variables {
    image_tag   = "0.1.0"
    environment = { USERS_INFO_DYNAMODB_CALL_TIMEOUT = "2s" }
  }

  assert {
    condition     = aws_ecs_task_definition.this.cpu == "256" && aws_ecs_task_definition.this.memory == "512" && aws_ecs_task_definition.this.requires_compatibilities == toset(["FARGATE"]) && aws_ecs_task_definition.this.network_mode == "awsvpc"
    error_message = "The task must be a Fargate task of 256 CPU units and 512 MiB in awsvpc mode."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].readonlyRootFilesystem && jsondecode(aws_ecs_task_definition.this.container_definitions)[0].user == "65532:65532"
    error_message = "The container must run as 65532 on a read-only root filesystem."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].mountPoints == [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    error_message = "/tmp must be the one writable mount."
  }

  assert {
    condition = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].logConfiguration == {
      logDriver = "awslogs"
      options = {
        awslogs-group         = "/ecs/users-info"
        awslogs-region        = "eu-west-1"
        awslogs-stream-prefix = "ecs"
        mode                  = "non-blocking"
        max-buffer-size       = "25m"
      }
    }
    error_message = "Logs must go to /ecs/users-info through awslogs, non-blocking."
  }

  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value
      } == {
      USERS_INFO_DYNAMODB_TABLE        = "users-info-users"
      USERS_INFO_DYNAMODB_REGION       = "eu-west-1"
      USERS_INFO_DYNAMODB_CALL_TIMEOUT = "2s"
    }
    error_message = "The container must get infra-shared's table and region, plus the extra environment."
  }

  assert {
    condition     = !contains(keys(jsondecode(aws_ecs_task_definition.this.container_definitions)[0]), "healthCheck")
    error_message = "Without a probe command (the image has no shell and no HTTP client) there must be no container health check; the target group checks readiness."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "Logs must be kept 30 days by default."
  }
}

run "container_health_check_when_the_image_has_a_probe" {
  command = plan

  variables {
    container_health_check_command = ["CMD", "/probe", "http://127.0.0.1:8080/health/readiness"]
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck == { command = ["CMD", "/probe", "http://127.0.0.1:8080/health/readiness"], interval = 15, timeout = 5, retries = 3, startPeriod = 30 }
    error_message = "A probe command must become the container's health check."
  }
}

run "iam_is_limited_to_the_table_and_the_repository" {
  command = apply

  assert {
    condition = jsondecode(aws_iam_role_policy.task.policy).Statement == [{
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/users-info-users"
    }]
    error_message = "The task role may only use the calls the service makes, on the users table's ARN: ${aws_iam_role_policy.task.policy}"
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.task.policy, "*")
    error_message = "The task role's policy must contain no wildcard, neither in actions nor in resources."
  }

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid if s.Resource == "*"
    ] == ["EcrLogin"]
    error_message = "The execution role may use \"*\" only for ecr:GetAuthorizationToken, which has no resource-level permissions."
  }

  assert {
    condition = {
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : s.Sid => s.Resource
      } == {
      EcrLogin         = "*"
      PullServiceImage = "arn:aws:ecr:eu-west-1:123456789012:repository/users-info"
      WriteServiceLogs = "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/users-info:log-stream:*"
    }
    error_message = "The execution role must pull from infra-shared's repository and write to the service's log group only."
  }

  assert {
    condition     = jsondecode(aws_iam_role.task.assume_role_policy).Statement[0].Condition == { StringEquals = { "aws:SourceAccount" = "123456789012" } } && aws_ecs_task_definition.this.task_role_arn == "arn:aws:iam::123456789012:role/users-info-ecs-task" && aws_ecs_task_definition.this.execution_role_arn == "arn:aws:iam::123456789012:role/users-info-ecs-execution"
    error_message = "Only ECS tasks of this account may assume the task role, and the task must use it."
  }
}

run "service_behind_the_load_balancer" {
  command = apply

  assert {
    condition     = aws_ecs_service.this.deployment_circuit_breaker[0].enable && aws_ecs_service.this.deployment_circuit_breaker[0].rollback
    error_message = "Failed deployments must stop and roll back."
  }

  assert {
    condition     = aws_ecs_service.this.deployment_minimum_healthy_percent == 100 && aws_ecs_service.this.deployment_maximum_percent == 200
    error_message = "Deployments must keep 100 % healthy and may double the tasks while replacing them."
  }

  assert {
    condition     = aws_ecs_cluster.this.setting == toset([{ name = "containerInsights", value = "enabled" }]) && aws_ecs_service.this.launch_type == "FARGATE"
    error_message = "The cluster must have Container Insights and the service must run on Fargate."
  }

  assert {
    condition     = aws_lb_target_group.this.health_check[0].path == "/health/readiness" && aws_lb_target_group.this.health_check[0].matcher == "200" && aws_lb_target_group.this.target_type == "ip" && aws_lb_target_group.this.port == 8080
    error_message = "The target group must check /health/readiness on port 8080 of each task's IP."
  }

  assert {
    condition     = [for lb in aws_ecs_service.this.load_balancer : [lb.target_group_arn, lb.container_name, lb.container_port]] == [["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/users-info/73e2d6bc24d8a067", "users-info", 8080]]
    error_message = "The service must register its container's port 8080 in the target group."
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "forward" && length(aws_lb_listener.https) == 0
    error_message = "Without a certificate, port 80 must forward to the service."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.tasks_from_alb.referenced_security_group_id == aws_security_group.alb.id && aws_vpc_security_group_ingress_rule.tasks_from_alb.from_port == 8080
    error_message = "Tasks must accept traffic from the load balancer's security group only, on 8080."
  }

  assert {
    condition     = aws_lb.this.drop_invalid_header_fields && !aws_lb.this.internal
    error_message = "The load balancer must be internet-facing by default and drop invalid headers."
  }
}

run "https_with_a_certificate" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0b5e4e1e-1111-2222-3333-444455556666"
  }

  assert {
    condition     = aws_lb_listener.http.default_action[0].type == "redirect" && aws_lb_listener.http.default_action[0].redirect[0].protocol == "HTTPS" && aws_lb_listener.https[0].certificate_arn == var.certificate_arn
    error_message = "With a certificate, 443 must serve HTTPS and 80 must redirect to it."
  }

  assert {
    condition     = keys(aws_vpc_security_group_ingress_rule.alb) == ["0.0.0.0/0-443", "0.0.0.0/0-80"]
    error_message = "With a certificate the load balancer must accept 80 and 443."
  }
}

run "autoscaling_targets" {
  command = apply

  variables {
    image_tag    = "0.1.0"
    min_capacity = 2
    max_capacity = 6
  }

  assert {
    condition     = aws_appautoscaling_target.this.min_capacity == 2 && aws_appautoscaling_target.this.max_capacity == 6 && aws_appautoscaling_target.this.resource_id == "service/users-info/users-info"
    error_message = "The scalable target must be the service with min_capacity..max_capacity."
  }

  assert {
    condition     = aws_appautoscaling_policy.cpu.target_tracking_scaling_policy_configuration[0].target_value == 80 && aws_appautoscaling_policy.cpu.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "ECSServiceAverageCPUUtilization"
    error_message = "CPU target tracking must keep 80 %."
  }

  assert {
    condition     = aws_appautoscaling_policy.requests.target_tracking_scaling_policy_configuration[0].target_value == 1000 && aws_appautoscaling_policy.requests.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].resource_label == "app/users-info/50dc6c495c0c9188/targetgroup/users-info/73e2d6bc24d8a067"
    error_message = "Request target tracking must keep 1000 requests per task and minute on this load balancer's target group."
  }
}

# The alarms themselves: tests/alarms.tftest.hcl (modules/alarms). Here: this stack creates them and
# returns their topic.
run "alarms_of_this_service" {
  command = apply

  assert {
    condition     = output.alarm_topic_arn == "arn:aws:sns:eu-west-1:123456789012:users-info-alarms"
    error_message = "The stack must return the alarm topic of modules/alarms."
  }

  assert {
    condition     = output.alarm_names == { UsersInfoAvailabilityBurnRate = "users-info-UsersInfoAvailabilityBurnRate", UsersInfoLatencyBurnRate = "users-info-UsersInfoLatencyBurnRate", UsersInfoRestartingTooOften = "users-info-UsersInfoRestartingTooOften", UsersInfoAtMaxReplicas = "users-info-UsersInfoAtMaxReplicas" }
    error_message = "The stack must create the four notifying alarms, named after the service: ${jsonencode(output.alarm_names)}"
  }
}

run "shared_outputs_as_variables" {
  command = plan

  variables {
    shared = {
      region             = "eu-west-1"
      vpc_id             = "vpc-0given"
      public_subnet_ids  = ["subnet-1", "subnet-2"]
      private_subnet_ids = ["subnet-3", "subnet-4"]
      ecr_repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other"
      ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/other"
      table_name         = "other-users"
      table_arn          = "arn:aws:dynamodb:eu-west-1:123456789012:table/other-users"
    }
  }

  assert {
    condition     = length(data.terraform_remote_state.shared) == 0 && aws_security_group.alb.vpc_id == "vpc-0given" && jsondecode(aws_iam_role_policy.task.policy).Statement[0].Resource == "arn:aws:dynamodb:eu-west-1:123456789012:table/other-users"
    error_message = "Given outputs must replace the remote state entirely."
  }
}

run "rejects_a_region_other_than_shared" {
  command = plan

  variables {
    region = "us-east-1"
  }

  expect_failures = [terraform_data.same_region_as_shared]
}

# Each validation, with a value it must reject.

run "rejects_bad_image_tag" {
  command = plan
  variables {
    image_tag = "-latest"
  }
  expect_failures = [var.image_tag]
}

run "rejects_non_fargate_cpu" {
  command = plan
  variables {
    cpu = 300
  }
  expect_failures = [var.cpu]
}

run "rejects_memory_that_does_not_fit_cpu" {
  command = plan
  variables {
    cpu    = 256
    memory = 4096
  }
  expect_failures = [var.memory]
}

run "rejects_unknown_architecture" {
  command = plan
  variables {
    cpu_architecture = "arm64"
  }
  expect_failures = [var.cpu_architecture]
}

run "rejects_privileged_port" {
  command = plan
  variables {
    container_port = 80
  }
  expect_failures = [var.container_port]
}

run "rejects_overriding_the_table" {
  command = plan
  variables {
    environment = { USERS_INFO_DYNAMODB_TABLE = "elsewhere" }
  }
  expect_failures = [var.environment]
}

run "rejects_health_check_without_cmd" {
  command = plan
  variables {
    container_health_check_command = ["curl", "-f", "http://127.0.0.1:8080/health/readiness"]
  }
  expect_failures = [var.container_health_check_command]
}

run "rejects_relative_health_check_path" {
  command = plan
  variables {
    health_check_path = "health/readiness"
  }
  expect_failures = [var.health_check_path]
}

run "rejects_unsupported_log_retention" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "rejects_bad_ingress_cidr" {
  command = plan
  variables {
    alb_ingress_cidrs = ["everyone"]
  }
  expect_failures = [var.alb_ingress_cidrs]
}

run "rejects_non_acm_certificate" {
  command = plan
  variables {
    certificate_arn = "arn:aws:iam::123456789012:server-certificate/x"
  }
  expect_failures = [var.certificate_arn]
}

run "rejects_zero_min_capacity" {
  command = plan
  variables {
    min_capacity = 0
  }
  expect_failures = [var.min_capacity]
}

run "rejects_max_below_min" {
  command = plan
  variables {
    min_capacity = 4
    max_capacity = 2
  }
  expect_failures = [var.max_capacity]
}

run "rejects_cpu_target_without_headroom" {
  command = plan
  variables {
    cpu_target_percent = 99
  }
  expect_failures = [var.cpu_target_percent]
}

run "rejects_fractional_requests_per_target" {
  command = plan
  variables {
    requests_per_target = 0.5
  }
  expect_failures = [var.requests_per_target]
}

run "rejects_unknown_state_backend" {
  command = plan
  variables {
    shared_state = { backend = "consul", config = {} }
  }
  expect_failures = [var.shared_state]
}

run "rejects_s3_state_without_bucket" {
  command = plan
  variables {
    shared_state = { backend = "s3", config = { key = "infra-shared.tfstate", region = "eu-west-1" } }
  }
  expect_failures = [var.shared_state]
}

run "rejects_shared_with_one_subnet" {
  command = plan
  variables {
    shared = {
      region             = "eu-west-1"
      vpc_id             = "vpc-0given"
      public_subnet_ids  = ["subnet-1"]
      private_subnet_ids = ["subnet-3"]
      ecr_repository_url = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/other"
      ecr_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/other"
      table_name         = "other-users"
      table_arn          = "arn:aws:dynamodb:eu-west-1:123456789012:table/other-users"
    }
  }
  expect_failures = [var.shared]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "users-info-with-a-name-far-too-long"
  }
  expect_failures = [var.name]
}

run "rejects_bad_region" {
  command = plan
  variables {
    region = "eu-west"
  }
  expect_failures = [var.region]
}

run "rejects_reserved_tag_prefix" {
  command = plan
  variables {
    tags = { "AWS:team" = "x" }
  }
  expect_failures = [var.tags]
}
