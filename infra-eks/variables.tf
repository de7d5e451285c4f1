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
  description = "Name of the EKS cluster; role, key, log group and node group names derive from it."
  type        = string
  default     = "users-info"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3 to 32 characters of lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (IAM role names derive from it and AWS limits them to 64), e.g. users-info."
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
    private_subnet_ids = list(string)
    table_name         = string
    table_arn          = string
  })
  default = null

  validation {
    condition     = var.shared == null || length(try(var.shared.private_subnet_ids, [])) >= 2
    error_message = "shared must list at least two private subnets in different zones (EKS places its control-plane network interfaces in two zones at least), as infra-shared's outputs do."
  }

  validation {
    condition     = var.shared == null || can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[a-zA-Z0-9_.-]+$", try(var.shared.table_arn, "")))
    error_message = "shared.table_arn must be a DynamoDB table ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME): infra-shared's table_arn output."
  }
}

################################################################################
# Cluster
################################################################################

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and the nodes, MAJOR.MINOR. The default is the minor of the local kind cluster (KUBERNETES_VERSION in config/tools.versions), so what was tested locally is what runs. Raise it one minor at a time: EKS upgrades only by one."
  type        = string
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35 (MAJOR.MINOR, no patch and no leading v: EKS picks the patch release)."
  }

  validation {
    condition     = !can(regex("^1\\.[0-9]{2}$", var.kubernetes_version)) || tonumber(split(".", var.kubernetes_version)[1]) >= 30
    error_message = "kubernetes_version must be 1.30 or newer: the users-info chart needs 1.30 (its kubeVersion), and older minors are out of EKS standard support."
  }
}

variable "endpoint_public_access" {
  description = "Also expose the Kubernetes API endpoint on the internet, to the ranges in endpoint_public_access_cidrs. The private endpoint (from inside the VPC) is always on; off by default, so kubectl runs from the VPC (a bastion, VPN or CI runner there) unless this is turned on."
  type        = bool
  default     = false
}

variable "endpoint_public_access_cidrs" {
  description = "IPv4 ranges allowed to reach the public API endpoint when endpoint_public_access is true, e.g. [\"203.0.113.0/24\"] for the office. Must be given explicitly: there is no \"everyone\" default."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for cidr in var.endpoint_public_access_cidrs : can(cidrhost(cidr, 0)) && strcontains(cidr, ".")])
    error_message = "endpoint_public_access_cidrs must be IPv4 CIDR blocks such as 203.0.113.0/24 (EKS accepts only IPv4 here)."
  }

  validation {
    condition     = !var.endpoint_public_access || length(var.endpoint_public_access_cidrs) > 0
    error_message = "endpoint_public_access is true but endpoint_public_access_cidrs is empty: list the ranges that may reach the API, e.g. [\"203.0.113.0/24\"] (or [\"0.0.0.0/0\"] if you mean everyone)."
  }

  validation {
    condition     = var.endpoint_public_access || length(var.endpoint_public_access_cidrs) == 0
    error_message = "endpoint_public_access_cidrs is set but endpoint_public_access is false, so the ranges would have no effect: set endpoint_public_access = true, or remove the ranges."
  }
}

variable "cluster_log_types" {
  description = "Control-plane logs EKS sends to CloudWatch Logs (/aws/eks/NAME/cluster): any of api, audit, authenticator, controllerManager, scheduler."
  type        = list(string)
  default     = ["api", "audit", "authenticator"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types may only contain api, audit, authenticator, controllerManager and scheduler (the EKS control-plane log types)."
  }
}

variable "cluster_log_retention_days" {
  description = "Days CloudWatch Logs keeps the control-plane logs."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cluster_log_retention_days)
    error_message = "cluster_log_retention_days must be a retention CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "secrets_kms_key_arn" {
  description = "ARN of an existing KMS key that encrypts the cluster's Secrets (envelope encryption). Null (the default) creates a key for the cluster, with yearly rotation."
  type        = string
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-zA-Z0-9-]+$", coalesce(var.secrets_kms_key_arn, "x")))
    error_message = "secrets_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID; not an alias), or null to create a key."
  }
}

variable "cluster_admin_arns" {
  description = "IAM roles or users that administer the cluster: each gets an EKS access entry with AmazonEKSClusterAdminPolicy on the whole cluster (there is no aws-auth ConfigMap). With none, nobody can use kubectl on the cluster: name at least your own role."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.cluster_admin_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[\\w+=,.@/-]+$", arn))])
    error_message = "cluster_admin_arns must hold IAM role or user ARNs (arn:aws:iam::ACCOUNT:role/NAME or ...:user/NAME); for an SSO user give the role of its permission set (aws sts get-caller-identity shows the assumed role; use arn:aws:iam::ACCOUNT:role/aws-reserved/sso.amazonaws.com/... without the session part)."
  }

  validation {
    condition     = length(distinct(var.cluster_admin_arns)) == length(var.cluster_admin_arns)
    error_message = "cluster_admin_arns lists a principal twice; an access entry exists once per principal, remove the duplicate."
  }
}

################################################################################
# Nodes
################################################################################

variable "node_instance_types" {
  description = "EC2 instance types of the managed node group, in order of preference (several help Spot find capacity)."
  type        = list(string)
  default     = ["t3.medium"]

  validation {
    condition     = length(var.node_instance_types) >= 1 && length(var.node_instance_types) <= 20 && alltrue([for t in var.node_instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "node_instance_types must list 1 to 20 EC2 instance types such as t3.medium or m7i.large."
  }
}

variable "node_capacity_type" {
  description = "ON_DEMAND, or SPOT (up to 90 % cheaper, nodes can be reclaimed with two minutes' notice: list several node_instance_types)."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_ami_type" {
  description = "AMI family of the nodes: AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD (Graviton instance types), BOTTLEROCKET_x86_64 or BOTTLEROCKET_ARM_64. The architecture must match node_instance_types and the images."
  type        = string
  default     = "AL2023_x86_64_STANDARD"

  validation {
    condition     = contains(["AL2023_x86_64_STANDARD", "AL2023_ARM_64_STANDARD", "BOTTLEROCKET_x86_64", "BOTTLEROCKET_ARM_64"], var.node_ami_type)
    error_message = "node_ami_type must be AL2023_x86_64_STANDARD, AL2023_ARM_64_STANDARD, BOTTLEROCKET_x86_64 or BOTTLEROCKET_ARM_64 (Amazon Linux 2 ends with Kubernetes 1.32)."
  }
}

variable "node_disk_size" {
  description = "Root volume of each node in GiB (images and container logs live there)."
  type        = number
  default     = 20

  validation {
    condition     = var.node_disk_size >= 20 && var.node_disk_size <= 1000 && floor(var.node_disk_size) == var.node_disk_size
    error_message = "node_disk_size must be a whole number of GiB from 20 to 1000."
  }
}

variable "node_min_size" {
  description = "Fewest nodes the cluster autoscaler keeps. 2 by default: the service's two replicas spread over two zones."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1 && var.node_min_size <= 100 && floor(var.node_min_size) == var.node_min_size
    error_message = "node_min_size must be a whole number from 1 to 100: CoreDNS and metrics-server (EKS add-ons) need a node to run on."
  }
}

variable "node_max_size" {
  description = "Most nodes the cluster autoscaler may start."
  type        = number
  default     = 4

  validation {
    condition     = var.node_max_size >= var.node_min_size && var.node_max_size <= 100 && floor(var.node_max_size) == var.node_max_size
    error_message = "node_max_size must be a whole number from node_min_size to 100."
  }
}

variable "node_desired_size" {
  description = "Nodes at creation. Afterwards the cluster autoscaler owns the number (Terraform ignores later changes to it); null (the default) starts with node_min_size."
  type        = number
  default     = null

  validation {
    condition     = var.node_desired_size == null || (try(var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size && floor(var.node_desired_size) == var.node_desired_size, false))
    error_message = "node_desired_size must be a whole number from node_min_size to node_max_size, or null to start with node_min_size."
  }
}

################################################################################
# Add-ons
################################################################################

variable "addon_versions" {
  description = "Versions of the EKS add-ons, e.g. { coredns = \"v1.12.4-eksbuild.1\" } (aws eks describe-addon-versions --kubernetes-version 1.35 --addon-name coredns). Null (the default for each) installs the version EKS marks default for the cluster's Kubernetes version; pin them for repeatable environments."
  type = object({
    vpc_cni                = optional(string)
    kube_proxy             = optional(string)
    eks_pod_identity_agent = optional(string)
    coredns                = optional(string)
    metrics_server         = optional(string)
  })
  default = {}

  validation {
    condition     = alltrue([for version in values(var.addon_versions) : version == null || can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", coalesce(version, "x")))])
    error_message = "addon_versions: each version must be an EKS add-on version such as v1.19.2-eksbuild.1 (aws eks describe-addon-versions lists them), or null for the cluster version's default."
  }
}

################################################################################
# Workloads: the service, its logs, the cluster autoscaler
################################################################################

variable "service_account" {
  description = "Namespace and ServiceAccount of the users-info service; Pod Identity gives that ServiceAccount the role that may use the users table. The chart names its ServiceAccount after the release's full name: users-info for `helm install users-info` (or set serviceAccount.name, as the helm_values output does)."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "users-info"
    name      = "users-info"
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.service_account.namespace))
    error_message = "service_account.namespace must be a Kubernetes namespace name: at most 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account.name))
    error_message = "service_account.name must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps the containers' logs that Fluent Bit ships to /aws/eks/NAME/containers."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs offers: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}
