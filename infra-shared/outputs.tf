output "region" {
  description = "AWS region of the shared infrastructure; the stacks deploy into the same one."
  value       = var.region
}

output "name" {
  description = "Name of the platform (var.name), the prefix the stacks give their resources."
  value       = var.name
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones the subnets are in, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone, in the order of availability_zones (load balancers)."
  value       = [for az in local.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone, in the order of availability_zones (tasks, nodes)."
  value       = [for az in local.azs : aws_subnet.private[az].id]
}

output "nat_gateway_public_ips" {
  description = "Public addresses the private subnets reach the internet from (for allow-lists of third parties)."
  value       = [for az in local.nat_azs : aws_eip.nat[az].public_ip]
}

output "ecr_repository_name" {
  description = "Name of the service's ECR repository."
  value       = aws_ecr_repository.this.name
}

output "ecr_repository_url" {
  description = "URL of the service's ECR repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME): push and pull IMAGE = URL:TAG."
  value       = aws_ecr_repository.this.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the service's ECR repository, for pull permissions."
  value       = aws_ecr_repository.this.arn
}

output "table_name" {
  description = "Name of the DynamoDB users table (the service's USERS_INFO_DYNAMODB_TABLE)."
  value       = aws_dynamodb_table.users.name
}

output "table_arn" {
  description = "ARN of the DynamoDB users table, the only resource the service's IAM role may use."
  value       = aws_dynamodb_table.users.arn
}
