################################################################################
# Managed node group in infra-shared's private subnets
################################################################################

resource "aws_iam_role" "node" {
  name = "${var.name}-eks-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

# What the kubelet needs (join the cluster, describe itself), image pulls only (no push), and the VPC CNI's
# network-interface management. The CNI's rights stay on the node role, as in EKS's own set-up, so that a new
# node's pod networking does not wait for another DaemonSet (the Pod Identity agent) to be up first; giving
# the vpc-cni add-on a Pod Identity role of its own is the next hardening step (docs/terraform.md).
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset(["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/${each.key}"
}

# With authentication mode API, EKS creates the node role's access entry (type EC2_LINUX) itself.
resource "aws_eks_node_group" "this" {
  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-default"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = local.shared.private_subnet_ids
  # Follows the control plane: raising kubernetes_version upgrades the nodes after it.
  version = aws_eks_cluster.this.version

  ami_type       = var.node_ami_type
  instance_types = var.node_instance_types
  capacity_type  = var.node_capacity_type
  disk_size      = var.node_disk_size

  scaling_config {
    min_size     = var.node_min_size
    max_size     = var.node_max_size
    desired_size = local.node_desired_size
  }

  # One node at a time during upgrades: the service's PodDisruptionBudget keeps a replica serving.
  update_config {
    max_unavailable = 1
  }

  # EKS replaces nodes that stay NotReady or report kubelet/runtime failures.
  node_repair_config {
    enabled = true
  }

  # The cluster autoscaler's auto-discovery tags. EKS puts the same two tags on the group's Auto Scaling
  # group itself; they are stated here too so that the contract the autoscaler's IAM condition relies on
  # is written (and tested) in this module.
  tags = {
    "k8s.io/cluster-autoscaler/enabled" = "true"
    (local.autoscaler_owned_tag)        = "owned"
  }

  lifecycle {
    # The cluster autoscaler owns the current size; Terraform sets only the bounds.
    ignore_changes = [scaling_config[0].desired_size]
  }

  depends_on = [
    aws_iam_role_policy_attachment.node,
    # Nodes start with pod networking, kube-proxy and the Pod Identity agent from their first minute.
    aws_eks_addon.before_nodes,
  ]
}
