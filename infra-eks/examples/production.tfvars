# A production-shaped infra-eks, reading infra-shared's state from S3.
# scripts/terraform.sh run infra-eks apply -var-file=examples/production.tfvars
region = "eu-west-1"
shared_state = {
  backend = "s3"
  config = {
    bucket = "CHANGE-ME-terraform-state"
    key    = "users-info/infra-shared.tfstate"
    region = "eu-west-1"
  }
}
cluster_admin_arns = [
  "arn:aws:iam::123456789012:role/platform-admin",
  "arn:aws:iam::123456789012:role/ci-deploy",
]
# kubectl from the office and the CI runners' NAT addresses; everything else through the VPC.
endpoint_public_access       = true
endpoint_public_access_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
cluster_log_types            = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
cluster_log_retention_days   = 365
# Graviton nodes, three zones' worth of minimum capacity.
node_ami_type       = "AL2023_ARM_64_STANDARD"
node_instance_types = ["m7g.large", "m6g.large"]
node_min_size       = 3
node_max_size       = 12
node_disk_size      = 50
# Pinned add-ons: an environment rebuilt next month gets the same versions. The versions below show the
# format only: take the current ones from `aws eks describe-addon-versions --kubernetes-version 1.35`.
addon_versions = {
  vpc_cni                = "v1.20.4-eksbuild.2"
  kube_proxy             = "v1.35.0-eksbuild.2"
  eks_pod_identity_agent = "v1.3.8-eksbuild.2"
  coredns                = "v1.12.4-eksbuild.1"
  metrics_server         = "v0.8.0-eksbuild.2"
}
log_retention_days = 90
tags = {
  environment = "production"
  team        = "platform"
}
