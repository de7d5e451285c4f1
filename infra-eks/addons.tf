################################################################################
# EKS add-ons (versions: var.addon_versions; null = EKS's default for the cluster's Kubernetes version)
################################################################################

resource "aws_eks_addon" "before_nodes" {
  for_each = local.addons_before_nodes

  cluster_name  = aws_eks_cluster.this.name
  addon_name    = each.key
  addon_version = each.value
  # Terraform is the one source of the add-ons' configuration: it overwrites edits made in the cluster.
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
}

resource "aws_eks_addon" "after_nodes" {
  for_each = local.addons_after_nodes

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.key
  addon_version               = each.value
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  # Deployments: they become ready (and the apply goes on) only once a node runs them.
  depends_on = [aws_eks_node_group.this]
}
