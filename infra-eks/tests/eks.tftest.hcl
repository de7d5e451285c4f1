# Plan-level tests of infra-eks: the AWS provider is mocked; infra-shared's outputs come from a fixture state
# file (the terraform_remote_state path, as in real use; not named *.tfstate, which git ignores) or from
# var.shared.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }

  # The provider checks that ARNs it is given look like ARNs, so mocked resources must return real-looking ones.
  mock_resource "aws_eks_cluster" {
    defaults = {
      arn                   = "arn:aws:eks:eu-west-1:123456789012:cluster/users-info"
      certificate_authority = [{ data = "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t" }]
    }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/0b5e4e1e-1111-2222-3333-444455556666" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/users-info/containers" }
  }
}

override_resource {
  target = aws_iam_role.cluster
  values = { arn = "arn:aws:iam::123456789012:role/users-info-eks-cluster" }
}

override_resource {
  target = aws_iam_role.node
  values = { arn = "arn:aws:iam::123456789012:role/users-info-eks-node" }
}

override_resource {
  target = aws_iam_role.service
  values = { arn = "arn:aws:iam::123456789012:role/users-info-eks-service" }
}

override_resource {
  target = aws_iam_role.fluent_bit
  values = { arn = "arn:aws:iam::123456789012:role/users-info-eks-fluent-bit" }
}

override_resource {
  target = aws_iam_role.cluster_autoscaler
  values = { arn = "arn:aws:iam::123456789012:role/users-info-eks-cluster-autoscaler" }
}

variables {
  region = "eu-west-1"
  shared_state = {
    backend = "local"
    config  = { path = "tests/fixtures/infra-shared.state.json" }
  }
  cluster_admin_arns = ["arn:aws:iam::123456789012:role/platform-admin"]
}

################################################################################
# Cluster
################################################################################

run "cluster_defaults" {
  command = plan

  assert {
    condition     = var.kubernetes_version == regex("KUBERNETES_VERSION=v([0-9]+[.][0-9]+)[.]", file("${path.module}/../config/tools.versions"))[0]
    error_message = "The default kubernetes_version (${var.kubernetes_version}) must be the minor of the local kind cluster (KUBERNETES_VERSION in config/tools.versions): what runs on EKS is what was tested locally."
  }

  assert {
    condition     = aws_eks_cluster.this.version == "1.35" && aws_eks_cluster.this.name == "users-info"
    error_message = "The cluster must be users-info on Kubernetes 1.35 by default."
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].subnet_ids == toset(["subnet-0priv-a", "subnet-0priv-b"])
    error_message = "The control plane's network interfaces must be in infra-shared's private subnets."
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_private_access && !aws_eks_cluster.this.vpc_config[0].endpoint_public_access
    error_message = "By default the API endpoint must be private only."
  }

  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API" && !aws_eks_cluster.this.access_config[0].bootstrap_cluster_creator_admin_permissions
    error_message = "Access must be by access entries only (mode API, no aws-auth ConfigMap), with no hidden admin entry for whoever runs Terraform."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"]) && length(aws_kms_key.secrets) == 1 && aws_kms_key.secrets[0].enable_key_rotation
    error_message = "Secrets must be envelope-encrypted with a KMS key of the cluster's own, rotated yearly."
  }

  assert {
    condition     = aws_eks_cluster.this.enabled_cluster_log_types == toset(["api", "audit", "authenticator"]) && aws_cloudwatch_log_group.cluster.name == "/aws/eks/users-info/cluster" && aws_cloudwatch_log_group.cluster.retention_in_days == 90
    error_message = "The api, audit and authenticator logs must go to /aws/eks/users-info/cluster, kept 90 days."
  }

  assert {
    condition     = aws_eks_cluster.this.upgrade_policy[0].support_type == "STANDARD" && !aws_eks_cluster.this.bootstrap_self_managed_addons
    error_message = "The cluster must stay on standard support (extended costs six times as much) and start without self-managed add-ons."
  }
}

run "kms_key_and_cluster_role" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].provider[0].key_arn == "arn:aws:kms:eu-west-1:123456789012:key/0b5e4e1e-1111-2222-3333-444455556666"
    error_message = "The cluster must encrypt Secrets with the key this stack created."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.cluster_secrets_key.policy).Statement == [{
      Sid      = "EncryptSecrets"
      Effect   = "Allow"
      Action   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ListGrants"]
      Resource = "arn:aws:kms:eu-west-1:123456789012:key/0b5e4e1e-1111-2222-3333-444455556666"
    }]
    error_message = "The cluster role may use the Secrets key only: ${aws_iam_role_policy.cluster_secrets_key.policy}"
  }

  assert {
    condition     = aws_iam_role_policy_attachment.cluster.policy_arn == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" && jsondecode(aws_iam_role.cluster.assume_role_policy).Statement[0].Principal == { Service = "eks.amazonaws.com" }
    error_message = "The cluster role must be trusted by EKS and carry AmazonEKSClusterPolicy."
  }
}

run "own_kms_key" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  variables {
    secrets_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(aws_kms_key.secrets) == 0 && length(aws_kms_alias.secrets) == 0
    error_message = "With secrets_kms_key_arn no key may be created."
  }

  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].provider[0].key_arn == var.secrets_kms_key_arn && jsondecode(aws_iam_role_policy.cluster_secrets_key.policy).Statement[0].Resource == var.secrets_kms_key_arn
    error_message = "The given key must encrypt Secrets and be the one the cluster role may use."
  }
}

run "public_endpoint_to_listed_ranges" {
  command = plan

  variables {
    endpoint_public_access       = true
    endpoint_public_access_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_public_access && aws_eks_cluster.this.vpc_config[0].endpoint_private_access
    error_message = "With endpoint_public_access the endpoint must be public and still private."
  }

  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].public_access_cidrs == toset(["203.0.113.0/24", "198.51.100.7/32"])
    error_message = "The public endpoint must admit exactly endpoint_public_access_cidrs."
  }
}

run "access_entries_from_the_admin_list" {
  command = plan

  variables {
    cluster_admin_arns = [
      "arn:aws:iam::123456789012:role/platform-admin",
      "arn:aws:iam::123456789012:user/alice",
    ]
  }

  assert {
    condition     = keys(aws_eks_access_entry.admin) == ["arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:user/alice"] && alltrue([for e in aws_eks_access_entry.admin : e.type == "STANDARD" && e.cluster_name == "users-info"])
    error_message = "Each admin principal must get one STANDARD access entry on the cluster."
  }

  assert {
    condition = alltrue([
      for arn, a in aws_eks_access_policy_association.admin :
      a.principal_arn == arn && a.policy_arn == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" && a.access_scope[0].type == "cluster"
    ]) && length(aws_eks_access_policy_association.admin) == 2
    error_message = "Each admin principal must be associated with AmazonEKSClusterAdminPolicy on the whole cluster."
  }
}

run "no_admin_is_a_warning" {
  command = plan

  variables {
    cluster_admin_arns = []
  }

  expect_failures = [check.cluster_has_an_administrator]

  assert {
    condition     = length(aws_eks_access_entry.admin) == 0
    error_message = "Without admins there must be no access entry."
  }
}

################################################################################
# Nodes
################################################################################

run "node_group_defaults" {
  command = plan

  assert {
    condition     = aws_eks_node_group.this.scaling_config[0].min_size == 2 && aws_eks_node_group.this.scaling_config[0].max_size == 4 && aws_eks_node_group.this.scaling_config[0].desired_size == 2
    error_message = "The node group must scale 2..4 and start with 2 nodes by default."
  }

  assert {
    condition     = aws_eks_node_group.this.subnet_ids == toset(["subnet-0priv-a", "subnet-0priv-b"])
    error_message = "Nodes must run in infra-shared's private subnets."
  }

  assert {
    condition     = aws_eks_node_group.this.instance_types == tolist(["t3.medium"]) && aws_eks_node_group.this.capacity_type == "ON_DEMAND" && aws_eks_node_group.this.ami_type == "AL2023_x86_64_STANDARD" && aws_eks_node_group.this.disk_size == 20
    error_message = "Nodes must be on-demand t3.medium on Amazon Linux 2023 with 20 GiB by default."
  }

  assert {
    condition     = aws_eks_node_group.this.tags["k8s.io/cluster-autoscaler/enabled"] == "true" && aws_eks_node_group.this.tags["k8s.io/cluster-autoscaler/users-info"] == "owned"
    error_message = "The node group must carry the cluster autoscaler's auto-discovery tags."
  }

  assert {
    condition     = aws_eks_node_group.this.update_config[0].max_unavailable == 1 && aws_eks_node_group.this.node_repair_config[0].enabled
    error_message = "Upgrades must replace one node at a time, and node repair must be on."
  }

  assert {
    condition     = toset([for a in aws_iam_role_policy_attachment.node : a.policy_arn]) == toset(["arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"])
    error_message = "The node role must carry exactly the worker, image-pull-only and VPC CNI policies."
  }
}

run "node_group_sizes_and_types" {
  command = plan

  variables {
    node_min_size       = 1
    node_max_size       = 10
    node_desired_size   = 3
    node_instance_types = ["m7g.large", "m6g.large"]
    node_ami_type       = "AL2023_ARM_64_STANDARD"
    node_capacity_type  = "SPOT"
  }

  assert {
    condition     = aws_eks_node_group.this.scaling_config[0].min_size == 1 && aws_eks_node_group.this.scaling_config[0].max_size == 10 && aws_eks_node_group.this.scaling_config[0].desired_size == 3
    error_message = "The node group must take min, max and desired sizes from the variables."
  }

  assert {
    condition     = aws_eks_node_group.this.instance_types == tolist(["m7g.large", "m6g.large"]) && aws_eks_node_group.this.capacity_type == "SPOT" && aws_eks_node_group.this.ami_type == "AL2023_ARM_64_STANDARD"
    error_message = "The node group must take instance types (in order), capacity type and AMI type from the variables."
  }
}

################################################################################
# Add-ons
################################################################################

run "addons_default_versions" {
  command = plan

  assert {
    condition     = keys(aws_eks_addon.before_nodes) == ["eks-pod-identity-agent", "kube-proxy", "vpc-cni"] && keys(aws_eks_addon.after_nodes) == ["coredns", "metrics-server"]
    error_message = "The core add-ons, the Pod Identity agent and metrics-server must be installed, the DaemonSets before the nodes."
  }

  assert {
    condition     = alltrue([for a in merge(aws_eks_addon.before_nodes, aws_eks_addon.after_nodes) : a.resolve_conflicts_on_create == "OVERWRITE" && a.resolve_conflicts_on_update == "OVERWRITE"])
    error_message = "Terraform's configuration of the add-ons must win conflicts."
  }

  assert {
    condition     = alltrue([for version in values(merge(local.addons_before_nodes, local.addons_after_nodes)) : version == null])
    error_message = "Without addon_versions no add-on version may be sent, so EKS installs its default for the cluster version."
  }
}

run "addons_pinned_versions" {
  command = plan

  variables {
    addon_versions = {
      vpc_cni        = "v1.20.4-eksbuild.2"
      coredns        = "v1.12.4-eksbuild.1"
      metrics_server = "v0.8.0-eksbuild.2"
    }
  }

  assert {
    condition     = aws_eks_addon.before_nodes["vpc-cni"].addon_version == "v1.20.4-eksbuild.2" && aws_eks_addon.after_nodes["coredns"].addon_version == "v1.12.4-eksbuild.1" && aws_eks_addon.after_nodes["metrics-server"].addon_version == "v0.8.0-eksbuild.2"
    error_message = "A pinned version must reach its add-on."
  }

  assert {
    condition     = local.addons_before_nodes["kube-proxy"] == null && local.addons_before_nodes["eks-pod-identity-agent"] == null
    error_message = "Add-ons not pinned must keep EKS's default version."
  }
}

################################################################################
# Pod Identity and IAM
################################################################################

run "pod_identity_associations" {
  command = plan

  assert {
    condition     = aws_eks_pod_identity_association.service.namespace == "users-info" && aws_eks_pod_identity_association.service.service_account == "users-info"
    error_message = "The service's association must be for users-info/users-info by default (the chart's ServiceAccount for release users-info)."
  }

  assert {
    condition     = aws_eks_pod_identity_association.fluent_bit.namespace == "amazon-cloudwatch" && aws_eks_pod_identity_association.fluent_bit.service_account == "aws-for-fluent-bit"
    error_message = "Fluent Bit's association must be for amazon-cloudwatch/aws-for-fluent-bit (infra-eks/addons/aws-for-fluent-bit/values.yaml)."
  }

  assert {
    condition     = aws_eks_pod_identity_association.cluster_autoscaler.namespace == "kube-system" && aws_eks_pod_identity_association.cluster_autoscaler.service_account == "cluster-autoscaler"
    error_message = "The cluster autoscaler's association must be for kube-system/cluster-autoscaler."
  }
}

run "service_account_elsewhere" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  variables {
    service_account = { namespace = "shop", name = "users-info-prod" }
  }

  assert {
    condition     = aws_eks_pod_identity_association.service.namespace == "shop" && aws_eks_pod_identity_association.service.service_account == "users-info-prod" && aws_eks_pod_identity_association.service.role_arn == "arn:aws:iam::123456789012:role/users-info-eks-service"
    error_message = "The association must follow service_account and give it the service role."
  }

  assert {
    condition     = jsondecode(aws_iam_role.service.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"] == "shop" && jsondecode(aws_iam_role.service.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "users-info-prod"
    error_message = "The service role's trust must follow service_account."
  }

  assert {
    condition     = output.helm_values.serviceAccount.name == "users-info-prod"
    error_message = "helm_values must name the ServiceAccount the association is for."
  }
}

run "iam_policies_exact" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  assert {
    condition = jsondecode(aws_iam_role_policy.service.policy).Statement == [{
      Sid      = "UsersTable"
      Effect   = "Allow"
      Action   = ["dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"]
      Resource = "arn:aws:dynamodb:eu-west-1:123456789012:table/users-info-users"
    }]
    error_message = "The service role may only use the calls the service makes, on the users table's ARN: ${aws_iam_role_policy.service.policy}"
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.service.policy, "*")
    error_message = "The service role's policy must contain no wildcard, neither in actions nor in resources."
  }

  assert {
    condition = jsondecode(aws_iam_role.service.assume_role_policy).Statement == [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Principal = { Service = "pods.eks.amazonaws.com" }
      Condition = {
        StringEquals = {
          "aws:SourceAccount"                         = "123456789012"
          "aws:RequestTag/eks-cluster-arn"            = "arn:aws:eks:eu-west-1:123456789012:cluster/users-info"
          "aws:RequestTag/kubernetes-namespace"       = "users-info"
          "aws:RequestTag/kubernetes-service-account" = "users-info"
        }
      }
    }]
    error_message = "Only EKS Pod Identity, for this cluster and the service's ServiceAccount, may assume the service role: ${aws_iam_role.service.assume_role_policy}"
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.fluent_bit.policy).Statement == [{
      Sid      = "ContainerLogs"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/users-info/containers:*"
    }]
    error_message = "Fluent Bit may only create streams and put events in the container log group: ${aws_iam_role_policy.fluent_bit.policy}"
  }

  assert {
    condition     = jsondecode(aws_iam_role.fluent_bit.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"] == "amazon-cloudwatch" && jsondecode(aws_iam_role.fluent_bit.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "aws-for-fluent-bit"
    error_message = "Only Fluent Bit's ServiceAccount may assume its role."
  }

  assert {
    condition     = aws_eks_pod_identity_association.service.role_arn == aws_iam_role.service.arn && aws_eks_pod_identity_association.fluent_bit.role_arn == aws_iam_role.fluent_bit.arn && aws_eks_pod_identity_association.cluster_autoscaler.role_arn == aws_iam_role.cluster_autoscaler.arn
    error_message = "Each association must give its ServiceAccount its own role."
  }
}

run "cluster_autoscaler_least_privilege" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement : s.Sid if s.Resource == "*"
    ] == ["Discover"]
    error_message = "The autoscaler may use \"*\" only for describe calls, which have no resource-level permissions."
  }

  assert {
    condition = alltrue([
      for action in flatten([for s in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement : s.Action if s.Resource == "*"]) :
      can(regex("^(autoscaling|ec2):(Describe|Get)", action))
    ])
    error_message = "The autoscaler's statement on \"*\" must hold read-only calls only."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement : s if s.Sid == "ScaleOwnedGroups"] == [{
      Sid       = "ScaleOwnedGroups"
      Effect    = "Allow"
      Action    = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
      Resource  = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*"
      Condition = { StringEquals = { "aws:ResourceTag/k8s.io/cluster-autoscaler/users-info" = "owned" } }
    }]
    error_message = "The autoscaler may change the capacity only of Auto Scaling groups tagged as owned by this cluster: ${aws_iam_role_policy.cluster_autoscaler.policy}"
  }

  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement : s.Resource if s.Sid == "DescribeNodeGroups"] == ["arn:aws:eks:eu-west-1:123456789012:nodegroup/users-info/*"]
    error_message = "The autoscaler may describe only this cluster's node groups."
  }

  assert {
    condition     = jsondecode(aws_iam_role.cluster_autoscaler.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"] == "kube-system" && jsondecode(aws_iam_role.cluster_autoscaler.assume_role_policy).Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-service-account"] == "cluster-autoscaler"
    error_message = "Only the cluster autoscaler's ServiceAccount may assume its role."
  }
}

################################################################################
# Logs and outputs
################################################################################

run "container_log_group" {
  command = plan

  variables {
    log_retention_days = 14
  }

  assert {
    condition     = aws_cloudwatch_log_group.containers.name == "/aws/eks/users-info/containers" && aws_cloudwatch_log_group.containers.retention_in_days == 14
    error_message = "Fluent Bit's group must be /aws/eks/<cluster>/containers with log_retention_days."
  }
}

run "outputs_for_the_deploy_step" {
  command = apply
  # Applied against the mock in a state of their own: the plan-only runs keep planning a new stack.
  state_key = "applied"

  assert {
    condition = output.helm_values == {
      serviceAccount = { create = true, name = "users-info" }
      config         = { users-info = { dynamodb = { table = "users-info-users", region = "eu-west-1" } } }
    }
    error_message = "helm_values must name the associated ServiceAccount and infra-shared's table and region."
  }

  assert {
    condition     = output.fluent_bit_helm_values == { cloudWatchLogs = { region = "eu-west-1", logGroupName = "/aws/eks/users-info/containers" } }
    error_message = "fluent_bit_helm_values must name the container log group and its region."
  }

  assert {
    condition     = output.kubeconfig_command == "aws eks update-kubeconfig --region eu-west-1 --name users-info"
    error_message = "kubeconfig_command must name the region and the cluster."
  }

  assert {
    condition     = output.container_log_group_name == "/aws/eks/users-info/containers" && output.cluster_log_group_name == "/aws/eks/users-info/cluster"
    error_message = "The log group outputs must name the two groups."
  }
}

run "autoscaler_owns_the_node_count" {
  command = plan
  # On the stack applied above (2 nodes): a later desired size is not Terraform's to set.
  state_key = "applied"

  variables {
    node_desired_size = 3
  }

  assert {
    condition     = aws_eks_node_group.this.scaling_config[0].desired_size == 2
    error_message = "After creation the cluster autoscaler owns the node count: Terraform must not reset it (ignore_changes on desired_size)."
  }
}

run "shared_given_directly" {
  command = plan

  variables {
    region       = "eu-central-1"
    shared_state = { backend = "local", config = { path = "does-not-exist.json" } }
    shared = {
      region             = "eu-central-1"
      private_subnet_ids = ["subnet-0a", "subnet-0b", "subnet-0c"]
      table_name         = "users-info-users"
      table_arn          = "arn:aws:dynamodb:eu-central-1:123456789012:table/users-info-users"
    }
  }

  assert {
    condition     = aws_eks_node_group.this.subnet_ids == toset(["subnet-0a", "subnet-0b", "subnet-0c"]) && aws_eks_cluster.this.vpc_config[0].subnet_ids == toset(["subnet-0a", "subnet-0b", "subnet-0c"])
    error_message = "With var.shared the cluster and nodes must use its subnets, and no state may be read."
  }
}

run "region_must_match_shared" {
  command = plan

  variables {
    region = "us-east-1"
  }

  expect_failures = [terraform_data.same_region_as_shared]
}

################################################################################
# Every validation rejects a bad value
################################################################################

run "rejects_bad_region" {
  command = plan
  variables { region = "Europe" }
  expect_failures = [var.region]
}

run "rejects_bad_name" {
  command = plan
  variables { name = "Users_Info" }
  expect_failures = [var.name]
}

run "rejects_aws_tag_prefix" {
  command = plan
  variables { tags = { "aws:team" = "x" } }
  expect_failures = [var.tags]
}

run "rejects_bad_shared_state_backend" {
  command = plan
  variables { shared_state = { backend = "gcs", config = {} } }
  expect_failures = [var.shared_state]
}

run "rejects_local_shared_state_without_path" {
  command = plan
  variables { shared_state = { backend = "local", config = {} } }
  expect_failures = [var.shared_state]
}

run "rejects_s3_shared_state_without_bucket" {
  command = plan
  variables { shared_state = { backend = "s3", config = { key = "k", region = "eu-west-1" } } }
  expect_failures = [var.shared_state]
}

run "rejects_shared_with_one_subnet" {
  command = plan
  variables {
    shared = {
      region             = "eu-west-1"
      private_subnet_ids = ["subnet-0a"]
      table_name         = "users-info-users"
      table_arn          = "arn:aws:dynamodb:eu-west-1:123456789012:table/users-info-users"
    }
  }
  expect_failures = [var.shared]
}

run "rejects_shared_with_bad_table_arn" {
  command = plan
  variables {
    shared = {
      region             = "eu-west-1"
      private_subnet_ids = ["subnet-0a", "subnet-0b"]
      table_name         = "users-info-users"
      table_arn          = "users-info-users"
    }
  }
  expect_failures = [var.shared]
}

run "rejects_kubernetes_version_with_patch" {
  command = plan
  variables { kubernetes_version = "1.35.4" }
  expect_failures = [var.kubernetes_version]
}

run "rejects_kubernetes_version_with_v" {
  command = plan
  variables { kubernetes_version = "v1.35" }
  expect_failures = [var.kubernetes_version]
}

run "rejects_kubernetes_version_too_old" {
  command = plan
  variables { kubernetes_version = "1.29" }
  expect_failures = [var.kubernetes_version]
}

run "rejects_public_endpoint_without_ranges" {
  command = plan
  variables { endpoint_public_access = true }
  expect_failures = [var.endpoint_public_access_cidrs]
}

run "rejects_ranges_without_public_endpoint" {
  command = plan
  variables { endpoint_public_access_cidrs = ["203.0.113.0/24"] }
  expect_failures = [var.endpoint_public_access_cidrs]
}

run "rejects_bad_public_range" {
  command = plan
  variables {
    endpoint_public_access       = true
    endpoint_public_access_cidrs = ["2001:db8::/32"]
  }
  expect_failures = [var.endpoint_public_access_cidrs]
}

run "rejects_unknown_cluster_log_type" {
  command = plan
  variables { cluster_log_types = ["api", "kubelet"] }
  expect_failures = [var.cluster_log_types]
}

run "rejects_bad_cluster_log_retention" {
  command = plan
  variables { cluster_log_retention_days = 10 }
  expect_failures = [var.cluster_log_retention_days]
}

run "rejects_kms_alias_as_key" {
  command = plan
  variables { secrets_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:alias/eks" }
  expect_failures = [var.secrets_kms_key_arn]
}

run "rejects_admin_that_is_not_an_iam_arn" {
  command = plan
  variables { cluster_admin_arns = ["platform-admin"] }
  expect_failures = [var.cluster_admin_arns]
}

run "rejects_duplicate_admin" {
  command = plan
  variables { cluster_admin_arns = ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::123456789012:role/a"] }
  expect_failures = [var.cluster_admin_arns]
}

run "rejects_no_instance_type" {
  command = plan
  variables { node_instance_types = [] }
  expect_failures = [var.node_instance_types]
}

run "rejects_bad_instance_type" {
  command = plan
  variables { node_instance_types = ["large"] }
  expect_failures = [var.node_instance_types]
}

run "rejects_bad_capacity_type" {
  command = plan
  variables { node_capacity_type = "RESERVED" }
  expect_failures = [var.node_capacity_type]
}

run "rejects_amazon_linux_2" {
  command = plan
  variables { node_ami_type = "AL2_x86_64" }
  expect_failures = [var.node_ami_type]
}

run "rejects_small_disk" {
  command = plan
  variables { node_disk_size = 8 }
  expect_failures = [var.node_disk_size]
}

run "rejects_zero_nodes" {
  command = plan
  variables { node_min_size = 0 }
  expect_failures = [var.node_min_size]
}

run "rejects_max_below_min" {
  command = plan
  variables {
    node_min_size = 3
    node_max_size = 2
  }
  expect_failures = [var.node_max_size]
}

run "rejects_desired_above_max" {
  command = plan
  variables { node_desired_size = 5 }
  expect_failures = [var.node_desired_size]
}

run "rejects_bad_addon_version" {
  command = plan
  variables { addon_versions = { coredns = "1.12.4" } }
  expect_failures = [var.addon_versions]
}

run "rejects_bad_namespace" {
  command = plan
  variables { service_account = { namespace = "Users_Info", name = "users-info" } }
  expect_failures = [var.service_account]
}

run "rejects_bad_service_account_name" {
  command = plan
  variables { service_account = { namespace = "users-info", name = "users info" } }
  expect_failures = [var.service_account]
}

run "rejects_bad_log_retention" {
  command = plan
  variables { log_retention_days = 0 }
  expect_failures = [var.log_retention_days]
}
