################################################################################
# EKS Pod Identity: IAM roles for the service, Fluent Bit and the cluster autoscaler
################################################################################

locals {
  # Each role may be assumed only by EKS Pod Identity, for this cluster, for its one ServiceAccount: the
  # agent passes these as session tags (hence sts:TagSession), and a role cannot be borrowed by another
  # association, namespace or cluster.
  pod_identity_trust = {
    for key, sa in {
      service            = var.service_account
      fluent_bit         = local.fluent_bit_service_account
      cluster_autoscaler = local.cluster_autoscaler_service_account
      } : key => jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Effect    = "Allow"
          Action    = ["sts:AssumeRole", "sts:TagSession"]
          Principal = { Service = "pods.eks.amazonaws.com" }
          Condition = {
            StringEquals = {
              "aws:SourceAccount"                         = local.account_id
              "aws:RequestTag/eks-cluster-arn"            = aws_eks_cluster.this.arn
              "aws:RequestTag/kubernetes-namespace"       = sa.namespace
              "aws:RequestTag/kubernetes-service-account" = sa.name
            }
          }
        }]
    })
  }

  # Exactly the calls DynamoDbUserRepository and the readiness check make, on the users table only (the same
  # statement as infra-ecs's task role); transactions need the rights of the writes inside them.
  service_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = local.shared.table_arn
    }]
  })

  # Fluent Bit's cloudwatch_logs output with auto_create_group off (docs/logs.md): it creates one stream per
  # container and puts events, in this group only. No CreateLogGroup (Terraform owns the group and its
  # retention), no PutRetentionPolicy.
  fluent_bit_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ContainerLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.containers.arn}:*"
    }]
  })

  # The cluster autoscaler (auto-discovery of node groups by tag). Describe calls have no resource-level
  # permissions and need "*"; the two calls that change capacity are limited to Auto Scaling groups tagged as
  # owned by this cluster, which EKS tags its managed node groups' groups with.
  cluster_autoscaler_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "Discover"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ]
        Resource = "*"
      },
      {
        # Node group labels and taints, for scaling up from a group's template.
        Sid      = "DescribeNodeGroups"
        Effect   = "Allow"
        Action   = "eks:DescribeNodegroup"
        Resource = "arn:${local.partition}:eks:${var.region}:${local.account_id}:nodegroup/${var.name}/*"
      },
      {
        Sid      = "ScaleOwnedGroups"
        Effect   = "Allow"
        Action   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
        Resource = "arn:${local.partition}:autoscaling:${var.region}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/*"
        Condition = {
          StringEquals = { "aws:ResourceTag/${local.autoscaler_owned_tag}" = "owned" }
        }
      },
    ]
  })
}

resource "aws_iam_role" "service" {
  name               = "${var.name}-eks-service"
  assume_role_policy = local.pod_identity_trust.service
}

resource "aws_iam_role_policy" "service" {
  name   = "users-table"
  role   = aws_iam_role.service.id
  policy = local.service_policy
}

resource "aws_eks_pod_identity_association" "service" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = var.service_account.namespace
  service_account = var.service_account.name
  role_arn        = aws_iam_role.service.arn
}

# Containers' stdout, shipped by the aws-for-fluent-bit DaemonSet (infra-eks/addons/aws-for-fluent-bit).
resource "aws_cloudwatch_log_group" "containers" {
  name              = local.container_log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "fluent_bit" {
  name               = "${var.name}-eks-fluent-bit"
  assume_role_policy = local.pod_identity_trust.fluent_bit
}

resource "aws_iam_role_policy" "fluent_bit" {
  name   = "container-logs"
  role   = aws_iam_role.fluent_bit.id
  policy = local.fluent_bit_policy
}

resource "aws_eks_pod_identity_association" "fluent_bit" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = local.fluent_bit_service_account.namespace
  service_account = local.fluent_bit_service_account.name
  role_arn        = aws_iam_role.fluent_bit.arn
}

resource "aws_iam_role" "cluster_autoscaler" {
  name               = "${var.name}-eks-cluster-autoscaler"
  assume_role_policy = local.pod_identity_trust.cluster_autoscaler
}

resource "aws_iam_role_policy" "cluster_autoscaler" {
  name   = "scale-owned-node-groups"
  role   = aws_iam_role.cluster_autoscaler.id
  policy = local.cluster_autoscaler_policy
}

resource "aws_eks_pod_identity_association" "cluster_autoscaler" {
  cluster_name    = aws_eks_cluster.this.name
  namespace       = local.cluster_autoscaler_service_account.namespace
  service_account = local.cluster_autoscaler_service_account.name
  role_arn        = aws_iam_role.cluster_autoscaler.arn
}
