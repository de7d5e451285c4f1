locals {
  tags = merge(
    {
      "app.kubernetes.io/part-of" = "users-info"
      "users-info/stack"          = "infra-eks"
      "users-info/managed-by"     = "terraform"
    },
    var.tags,
  )

  # The infra-shared outputs this stack uses, whichever way they came.
  state_outputs = one(data.terraform_remote_state.shared[*].outputs)
  shared = var.shared != null ? var.shared : {
    region             = local.state_outputs.region
    private_subnet_ids = tolist(local.state_outputs.private_subnet_ids)
    table_name         = local.state_outputs.table_name
    table_arn          = local.state_outputs.table_arn
  }

  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id

  secrets_kms_key_arn = coalesce(var.secrets_kms_key_arn, one(aws_kms_key.secrets[*].arn))

  # EKS writes the control-plane logs to this group; creating it first gives it a retention.
  cluster_log_group_name = "/aws/eks/${var.name}/cluster"
  # Fluent Bit's destination (infra-eks/addons/aws-for-fluent-bit/values.yaml, docs/logs.md).
  container_log_group_name = "/aws/eks/${var.name}/containers"

  # The ServiceAccounts EKS Pod Identity gives a role: the service, and two cluster components installed with
  # Helm after this stack, under the names their values files use.
  fluent_bit_service_account         = { namespace = "amazon-cloudwatch", name = "aws-for-fluent-bit" }
  cluster_autoscaler_service_account = { namespace = "kube-system", name = "cluster-autoscaler" }

  # The tag EKS puts on the Auto Scaling group of each managed node group of this cluster; the cluster
  # autoscaler discovers groups by it, and its IAM policy may change only groups that carry it.
  autoscaler_owned_tag = "k8s.io/cluster-autoscaler/${var.name}"

  # EKS add-ons. The networking ones and the Pod Identity agent are DaemonSets that nodes need from their first
  # minute, so they are installed before the node group; CoreDNS and metrics-server are Deployments that
  # only become ready once there is a node, so they are installed after it (else the apply waits for them).
  addons_before_nodes = {
    "vpc-cni"                = var.addon_versions.vpc_cni
    "kube-proxy"             = var.addon_versions.kube_proxy
    "eks-pod-identity-agent" = var.addon_versions.eks_pod_identity_agent
  }
  addons_after_nodes = {
    "coredns" = var.addon_versions.coredns
    # metrics-server as an EKS community add-on (packaged and scanned by AWS): the resource metrics the HPA
    # reads. On the kind cluster the same metrics-server comes from its chart (infra-eks/addons/metrics-server).
    "metrics-server" = var.addon_versions.metrics_server
  }

  node_desired_size = coalesce(var.node_desired_size, var.node_min_size)
}
