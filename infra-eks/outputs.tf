output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_version" {
  description = "Kubernetes minor version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_endpoint" {
  description = "URL of the cluster's Kubernetes API (private, plus public to endpoint_public_access_cidrs when enabled)."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 PEM of the cluster's certificate authority, for a kubeconfig."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and the managed nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "kubeconfig_command" {
  description = "Command that adds the cluster to your kubeconfig (as one of cluster_admin_arns)."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${aws_eks_cluster.this.name}"
}

output "node_group_name" {
  description = "Name of the managed node group."
  value       = aws_eks_node_group.this.node_group_name
}

output "node_role_arn" {
  description = "ARN of the nodes' IAM role."
  value       = aws_iam_role.node.arn
}

output "secrets_kms_key_arn" {
  description = "ARN of the KMS key that encrypts the cluster's Secrets."
  value       = local.secrets_kms_key_arn
}

output "service_role_arn" {
  description = "ARN of the role the users-info pods get through EKS Pod Identity (may use the users table only)."
  value       = aws_iam_role.service.arn
}

output "fluent_bit_role_arn" {
  description = "ARN of the role of the aws-for-fluent-bit DaemonSet (amazon-cloudwatch/aws-for-fluent-bit): writes to the container log group only."
  value       = aws_iam_role.fluent_bit.arn
}

output "cluster_autoscaler_role_arn" {
  description = "ARN of the cluster autoscaler's role (kube-system/cluster-autoscaler): scales only this cluster's node groups."
  value       = aws_iam_role.cluster_autoscaler.arn
}

output "container_log_group_name" {
  description = "CloudWatch Logs group Fluent Bit ships the containers' logs to."
  value       = aws_cloudwatch_log_group.containers.name
}

output "cluster_log_group_name" {
  description = "CloudWatch Logs group of the control-plane logs."
  value       = aws_cloudwatch_log_group.cluster.name
}

output "helm_values" {
  description = "Values for the users-info chart on this cluster: the ServiceAccount Pod Identity gives the table role to, and the table and region. `terraform output -json helm_values > values-eks.json`, then `helm upgrade --install users-info infra-eks/chart/users-info -n NAMESPACE -f values-eks.json` (NAMESPACE = service_account.namespace)."
  value = {
    serviceAccount = {
      create = true
      name   = var.service_account.name
    }
    config = {
      users-info = {
        dynamodb = {
          table  = local.shared.table_name
          region = var.region
        }
      }
    }
  }
}

output "fluent_bit_helm_values" {
  description = "The two values of infra-eks/addons/aws-for-fluent-bit/values.yaml the deploy step sets (docs/logs.md): `terraform output -json fluent_bit_helm_values > fluent-bit-eks.json`, then helm ... -f infra-eks/addons/aws-for-fluent-bit/values.yaml -f fluent-bit-eks.json."
  value = {
    cloudWatchLogs = {
      region       = var.region
      logGroupName = aws_cloudwatch_log_group.containers.name
    }
  }
}
