provider "aws" {
  region = var.region

  # Every resource the provider creates carries these tags, including ones added later.
  default_tags {
    tags = local.tags
  }
}
