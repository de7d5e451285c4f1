resource "terraform_data" "same_region_as_shared" {
  input = local.shared.region

  lifecycle {
    precondition {
      condition     = local.shared.region == var.region
      error_message = "region is ${var.region}, but infra-shared is in ${local.shared.region}: set region = \"${local.shared.region}\" (its VPC, subnets and table are there)."
    }
  }
}

# Nobody but an access entry can use the cluster (authentication mode API, no creator bootstrap): say so at
# plan time rather than after a 10-minute apply.
check "cluster_has_an_administrator" {
  assert {
    condition     = length(var.cluster_admin_arns) > 0
    error_message = "cluster_admin_arns is empty: the cluster will have no administrator and kubectl will be refused for everyone. Add your role, e.g. cluster_admin_arns = [\"arn:aws:iam::123456789012:role/platform-admin\"]."
  }
}

################################################################################
# IAM: the cluster's own role
################################################################################

# Policies are plain JSON (not aws_iam_policy_document data sources) so the plan tests read exactly what
# AWS receives.
resource "aws_iam_role" "cluster" {
  name = "${var.name}-eks-cluster"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "eks.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

# The control plane encrypts Secrets with the key (envelope encryption: each Secret's data key is wrapped by it).
resource "aws_iam_role_policy" "cluster_secrets_key" {
  name = "secrets-encryption-key"
  role = aws_iam_role.cluster.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "EncryptSecrets"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"]
      Resource = local.secrets_kms_key_arn
    }]
  })
}

################################################################################
# Secrets encryption and control-plane logs
################################################################################

resource "aws_kms_key" "secrets" {
  count = var.secrets_kms_key_arn == null ? 1 : 0

  description             = "Envelope encryption of the Kubernetes Secrets of EKS cluster ${var.name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "secrets" {
  count = var.secrets_kms_key_arn == null ? 1 : 0

  name          = "alias/eks/${var.name}"
  target_key_id = aws_kms_key.secrets[0].key_id
}

resource "aws_cloudwatch_log_group" "cluster" {
  name              = local.cluster_log_group_name
  retention_in_days = var.cluster_log_retention_days
}

################################################################################
# Cluster
################################################################################

resource "aws_eks_cluster" "this" {
  name                      = var.name
  version                   = var.kubernetes_version
  role_arn                  = aws_iam_role.cluster.arn
  enabled_cluster_log_types = var.cluster_log_types

  # Access entries only: no aws-auth ConfigMap, and the identity that runs Terraform gets no hidden,
  # unmanaged admin entry (administrators are cluster_admin_arns, visible in code).
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }

  # Without the self-managed vpc-cni, kube-proxy and CoreDNS EKS would otherwise install, the EKS add-ons
  # below are the only copies, with versions Terraform sets.
  bootstrap_self_managed_addons = false

  vpc_config {
    subnet_ids              = local.shared.private_subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    # EKS reads an empty list as "everyone"; with the public endpoint off the ranges do not matter.
    public_access_cidrs = var.endpoint_public_access ? var.endpoint_public_access_cidrs : null
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = local.secrets_kms_key_arn
    }
  }

  # Standard support only: extended support costs six times as much per cluster hour; at the end of standard
  # support EKS upgrades the control plane itself.
  upgrade_policy {
    support_type = "STANDARD"
  }

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_secrets_key,
    # EKS would create the group itself, with no retention, if it did not exist yet.
    aws_cloudwatch_log_group.cluster,
  ]
}

################################################################################
# Access: EKS access entries (authentication mode API)
################################################################################

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.cluster_admin_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = aws_eks_access_entry.admin

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value.principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }
}
