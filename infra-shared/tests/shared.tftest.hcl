# Plan-level tests of infra-shared: no AWS account and no emulator; the AWS provider is mocked, so each run
# checks what Terraform would ask AWS for. `terraform test` in infra-shared/ (or mvn -pl infra-shared verify).

mock_provider "aws" {
  # The zones a region reports; three, so az_count can choose fewer.
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }
}

variables {
  region = "eu-west-1"
}

run "defaults_two_zones_single_nat" {
  # apply (against the mock) rather than plan, so IDs are known and routes can be compared with gateways.
  command = apply

  assert {
    condition     = output.availability_zones == tolist(["eu-west-1a", "eu-west-1b"])
    error_message = "By default the subnets must span the region's first two zones, got ${jsonencode(output.availability_zones)}."
  }

  assert {
    condition     = aws_vpc.this.cidr_block == "10.0.0.0/16" && aws_vpc.this.enable_dns_hostnames && aws_vpc.this.enable_dns_support
    error_message = "The VPC must be 10.0.0.0/16 with DNS support and hostnames."
  }

  assert {
    condition = {
      for az, subnet in aws_subnet.public : az => subnet.cidr_block
      } == {
      "eu-west-1a" = "10.0.0.0/20"
      "eu-west-1b" = "10.0.16.0/20"
    }
    error_message = "Public subnets must be blocks 0 and 1 of 16 (/20), one per zone; got ${jsonencode({ for az, s in aws_subnet.public : az => s.cidr_block })}."
  }

  assert {
    condition = {
      for az, subnet in aws_subnet.private : az => subnet.cidr_block
      } == {
      "eu-west-1a" = "10.0.128.0/20"
      "eu-west-1b" = "10.0.144.0/20"
    }
    error_message = "Private subnets must be blocks 8 and 9 of 16 (/20), one per zone; got ${jsonencode({ for az, s in aws_subnet.private : az => s.cidr_block })}."
  }

  assert {
    condition     = alltrue([for subnet in aws_subnet.public : !subnet.map_public_ip_on_launch])
    error_message = "Public subnets must not give public addresses to everything launched in them."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1 && aws_nat_gateway.this["eu-west-1a"].subnet_id == aws_subnet.public["eu-west-1a"].id
    error_message = "By default there must be exactly one NAT gateway, in the first zone's public subnet."
  }

  assert {
    condition     = alltrue([for route in aws_route.private_nat : route.nat_gateway_id == aws_nat_gateway.this["eu-west-1a"].id])
    error_message = "With a single NAT gateway, every private route table must send internet traffic to it."
  }

  assert {
    condition     = length(aws_route_table.private) == 2 && aws_route.public_internet.gateway_id == aws_internet_gateway.this.id
    error_message = "Each private subnet must have its own route table, and the public one must route to the internet gateway."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The VPC's default security group must allow nothing."
  }

  assert {
    condition     = output.public_subnet_ids == [aws_subnet.public["eu-west-1a"].id, aws_subnet.public["eu-west-1b"].id] && output.private_subnet_ids == [aws_subnet.private["eu-west-1a"].id, aws_subnet.private["eu-west-1b"].id]
    error_message = "Subnet ID outputs must list one subnet per zone, in zone order."
  }

  assert {
    condition     = local.tags["users-info/stack"] == "infra-shared" && local.tags["users-info/managed-by"] == "terraform"
    error_message = "The provider's default tags must name the stack and Terraform."
  }
}

run "one_nat_gateway_per_zone" {
  command = apply

  variables {
    az_count         = 3
    nat_gateway_mode = "one_per_az"
  }

  assert {
    condition     = keys(aws_nat_gateway.this) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"] && length(aws_eip.nat) == 3
    error_message = "one_per_az must create one NAT gateway (and address) per zone, got ${jsonencode(keys(aws_nat_gateway.this))}."
  }

  assert {
    condition     = alltrue([for az, nat in aws_nat_gateway.this : nat.subnet_id == aws_subnet.public[az].id])
    error_message = "Each NAT gateway must sit in its own zone's public subnet."
  }

  assert {
    condition     = alltrue([for az, route in aws_route.private_nat : route.nat_gateway_id == aws_nat_gateway.this[az].id])
    error_message = "Each private subnet must reach the internet through the NAT gateway of its own zone."
  }

  assert {
    condition     = length(output.private_subnet_ids) == 3 && length(output.public_subnet_ids) == 3 && length(output.nat_gateway_public_ips) == 3
    error_message = "Three zones must give three public and three private subnets and three NAT addresses."
  }
}

run "explicit_zones_win_over_az_count" {
  command = plan

  variables {
    availability_zones = ["eu-west-1c", "eu-west-1a"]
  }

  assert {
    condition     = output.availability_zones == tolist(["eu-west-1c", "eu-west-1a"]) && aws_subnet.private["eu-west-1c"].cidr_block == "10.0.128.0/20"
    error_message = "Listed zones must be used in their order (the first gets block 0 and 8)."
  }
}

run "ecr_repository_is_immutable_scanned_and_pruned" {
  command = plan

  variables {
    ecr_keep_images = 15
  }

  assert {
    condition     = aws_ecr_repository.this.name == "users-info" && aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "The repository must be named after var.name and have immutable tags."
  }

  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Images must be scanned on push."
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "AES256" && !aws_ecr_repository.this.force_delete
    error_message = "By default the repository must be AES-256 encrypted and refuse to be deleted while it holds images."
  }

  assert {
    condition = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[1] == {
      rulePriority = 2
      description  = "Keep the 15 most recent images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 15 }
      action       = { type = "expire" }
    }
    error_message = "The lifecycle policy must keep the ecr_keep_images most recent images: ${aws_ecr_lifecycle_policy.this.policy}"
  }

  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection == { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
    error_message = "Untagged images must expire after one day."
  }
}

run "ecr_with_customer_managed_key" {
  command = plan

  variables {
    ecr_repository_name = "platform/users-info"
    ecr_kms_key_arn     = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ecr_force_delete    = true
  }

  assert {
    condition     = aws_ecr_repository.this.name == "platform/users-info" && aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS" && aws_ecr_repository.this.encryption_configuration[0].kms_key == var.ecr_kms_key_arn
    error_message = "A KMS key ARN must switch the repository to KMS encryption with that key."
  }
}

run "users_table_matches_the_service" {
  command = plan

  assert {
    condition     = aws_dynamodb_table.users.name == "users-info-users" && aws_dynamodb_table.users.hash_key == "pk" && aws_dynamodb_table.users.range_key == null
    error_message = "The table must be users-info-users (the service's default) with partition key pk and no sort key."
  }

  assert {
    condition     = [for a in aws_dynamodb_table.users.attribute : { name = a.name, type = a.type }] == [{ name = "pk", type = "S" }]
    error_message = "pk must be the only declared attribute, a string (user#<id>, email#<address>)."
  }

  assert {
    condition     = aws_dynamodb_table.users.billing_mode == "PAY_PER_REQUEST"
    error_message = "The table must be on demand."
  }

  assert {
    condition     = aws_dynamodb_table.users.point_in_time_recovery[0].enabled && aws_dynamodb_table.users.server_side_encryption[0].enabled && aws_dynamodb_table.users.deletion_protection_enabled
    error_message = "By default the table must have point-in-time recovery, server-side encryption (KMS) and deletion protection."
  }
}

run "throwaway_table" {
  command = plan

  variables {
    table_name                   = "users-info-test"
    table_deletion_protection    = false
    table_point_in_time_recovery = false
  }

  assert {
    condition     = !aws_dynamodb_table.users.deletion_protection_enabled && !aws_dynamodb_table.users.point_in_time_recovery[0].enabled && aws_dynamodb_table.users.server_side_encryption[0].enabled
    error_message = "Deletion protection and PITR must be switchable; encryption stays on."
  }
}

run "too_many_zones_for_the_region" {
  command = plan

  variables {
    az_count = 4
  }

  expect_failures = [aws_vpc.this]
}

# Each validation, with a value it must reject.

run "rejects_bad_region" {
  command = plan
  variables {
    region = "Europe"
  }
  expect_failures = [var.region]
}

run "rejects_bad_name" {
  command = plan
  variables {
    name = "Users_Info"
  }
  expect_failures = [var.name]
}

run "rejects_reserved_tag_prefix" {
  command = plan
  variables {
    tags = { "aws:owner" = "me" }
  }
  expect_failures = [var.tags]
}

run "rejects_overlong_tag_value" {
  command = plan
  variables {
    tags = { owner = join("", [for i in range(257) : "x"]) }
  }
  expect_failures = [var.tags]
}

run "rejects_bad_vpc_cidr" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/24"
  }
  expect_failures = [var.vpc_cidr]
}

run "rejects_single_zone" {
  command = plan
  variables {
    az_count = 1
  }
  expect_failures = [var.az_count]
}

run "rejects_zones_of_another_region" {
  command = plan
  variables {
    availability_zones = ["us-east-1a", "us-east-1b"]
  }
  expect_failures = [var.availability_zones]
}

run "rejects_a_zone_listed_twice" {
  command = plan
  variables {
    availability_zones = ["eu-west-1a", "eu-west-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "rejects_unknown_nat_mode" {
  command = plan
  variables {
    nat_gateway_mode = "none"
  }
  expect_failures = [var.nat_gateway_mode]
}

run "rejects_bad_repository_name" {
  command = plan
  variables {
    ecr_repository_name = "Users Info"
  }
  expect_failures = [var.ecr_repository_name]
}

run "rejects_keeping_no_images" {
  command = plan
  variables {
    ecr_keep_images = 0
  }
  expect_failures = [var.ecr_keep_images]
}

run "rejects_non_kms_arn_for_ecr" {
  command = plan
  variables {
    ecr_kms_key_arn = "alias/aws/ecr"
  }
  expect_failures = [var.ecr_kms_key_arn]
}

run "rejects_bad_table_name" {
  command = plan
  variables {
    table_name = "users info"
  }
  expect_failures = [var.table_name]
}

run "rejects_non_kms_arn_for_table" {
  command = plan
  variables {
    table_kms_key_arn = "my-key"
  }
  expect_failures = [var.table_kms_key_arn]
}
