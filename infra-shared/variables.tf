variable "region" {
  description = "AWS region of every resource of the platform, e.g. eu-west-1."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as eu-west-1 or us-east-1 (see `aws ec2 describe-regions`)."
  }
}

variable "name" {
  description = "Name of the platform: prefix of every resource name and the ECR repository's default name. The service and its chart use users-info."
  type        = string
  default     = "users-info"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 24 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (it prefixes names that AWS limits to 32 characters, such as load balancers), e.g. users-info."
  }
}

variable "tags" {
  description = "Tags added to every resource (through the provider's default_tags), e.g. { team = \"platform\", cost-center = \"1234\" }."
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

variable "vpc_cidr" {
  description = "IPv4 range of the VPC, /16 to /20. It is cut into 16 equal blocks: public subnets take blocks 0-7 (one per zone), private subnets blocks 8-15."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|20)$", var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block from /16 to /20 (e.g. 10.0.0.0/16), so each of its 16 subnets holds at least 256 addresses."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over when availability_zones is empty (the first ones the region offers). At least 2: a load balancer needs two."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 8 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 2 (an Application Load Balancer needs subnets in two zones) to 8 (the subnet plan has eight blocks per tier)."
  }
}

variable "availability_zones" {
  description = "Availability zones to use, e.g. [\"eu-west-1a\", \"eu-west-1b\"]. Empty (the default) means the first az_count zones of the region."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || (length(var.availability_zones) >= 2 && length(var.availability_zones) <= 8)
    error_message = "availability_zones must be empty (to take the first az_count zones) or list 2 to 8 zones, e.g. [\"eu-west-1a\", \"eu-west-1b\"]."
  }

  validation {
    condition     = length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones lists a zone more than once; list each zone once."
  }

  validation {
    condition     = alltrue([for az in var.availability_zones : startswith(az, var.region)])
    error_message = "availability_zones must all be zones of var.region (e.g. eu-west-1a for eu-west-1); check the region or the zone names."
  }
}

variable "nat_gateway_mode" {
  description = "NAT gateways for the private subnets: single (one in the first zone, the cheapest; a zone outage there cuts every private subnet off the internet) or one_per_az (one per zone, for production)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "one_per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\" (one NAT gateway, the default) or \"one_per_az\" (one per availability zone)."
  }
}

variable "ecr_repository_name" {
  description = "Name of the ECR repository of the service's image. Null (the default) means var.name."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_repository_name == null || can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", coalesce(var.ecr_repository_name, "x")))
    error_message = "ecr_repository_name must be lower-case letters and digits, separated by single '.', '_', '-' or '/', e.g. users-info or platform/users-info."
  }
}

variable "ecr_keep_images" {
  description = "How many images the ECR lifecycle policy keeps (the most recent pushes); older ones are expired. Untagged images are expired after one day."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 1 && var.ecr_keep_images <= 1000 && floor(var.ecr_keep_images) == var.ecr_keep_images
    error_message = "ecr_keep_images must be a whole number from 1 to 1000; keep at least as many images as you may want to roll back to."
  }
}

variable "ecr_kms_key_arn" {
  description = "ARN of a customer-managed KMS key for the ECR repository. Null (the default) uses AES-256 with keys ECR manages."
  type        = string
  default     = null

  validation {
    condition     = var.ecr_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.ecr_kms_key_arn, "x")))
    error_message = "ecr_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID) or null for AES-256."
  }
}

variable "ecr_force_delete" {
  description = "Let `terraform destroy` delete the ECR repository even when it still holds images. Keep false outside throw-away environments."
  type        = bool
  default     = false
}

variable "table_name" {
  description = "Name of the DynamoDB users table. The service reads it from USERS_INFO_DYNAMODB_TABLE (default users-info-users, docs/service.md)."
  type        = string
  default     = "users-info-users"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3 to 255 characters of letters, digits, '_', '-' and '.' (DynamoDB's rule), e.g. users-info-users."
  }
}

variable "table_point_in_time_recovery" {
  description = "Keep continuous backups of the users table (point-in-time recovery over the last 35 days)."
  type        = bool
  default     = true
}

variable "table_deletion_protection" {
  description = "Refuse to delete the users table (also through Terraform). Turn off only for throw-away environments."
  type        = bool
  default     = true
}

variable "table_kms_key_arn" {
  description = "ARN of a customer-managed KMS key for the users table. Null (the default) encrypts with the AWS-managed key aws/dynamodb."
  type        = string
  default     = null

  validation {
    condition     = var.table_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", coalesce(var.table_kms_key_arn, "x")))
    error_message = "table_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/KEY-ID) or null for the AWS-managed key."
  }
}
