terraform {
  # The same floor as the stacks that call it (infra-ecs/versions.tf): validations that refer to other
  # variables need 1.9, and the tests use mock providers.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # A module states the oldest provider it works with; the calling stack pins the exact release
      # (infra-ecs: ~> 5.100.0, the release of the project's provider mirror).
      version = ">= 5.100.0, < 6.0.0"
    }
  }
}
