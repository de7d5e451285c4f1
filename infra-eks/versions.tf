terraform {
  # 1.11: the S3 backend's native locking (`use_lockfile`, no DynamoDB lock table) is generally available
  # from 1.11 on, and `terraform test` has mock providers and override blocks (1.7+) and variable
  # validations that refer to other variables (1.9+), which the tests and variables.tf rely on.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # ~> 5.100.0 (patch releases only): 5.100.0 is the release the project's provider mirror holds
      # (config/terraform/terraformrc), and the one every plan test and emulator apply ran against.
      # 6.x changes resource schemas (e.g. region per resource); moving to it is a deliberate upgrade.
      version = "~> 5.100.0"
    }
  }
}
