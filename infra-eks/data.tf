# infra-shared's outputs: from its state (local file by default, S3 when it uses the S3 backend), unless
# var.shared gives them directly. Never copy IDs by hand.
data "terraform_remote_state" "shared" {
  count = var.shared == null ? 1 : 0

  backend = var.shared_state.backend
  config  = var.shared_state.config
}

data "aws_caller_identity" "current" {}

# aws, aws-cn or aws-us-gov: the ARNs of AWS-managed policies depend on it.
data "aws_partition" "current" {}
