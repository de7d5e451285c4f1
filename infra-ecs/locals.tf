locals {
  tags = merge(
    {
      "app.kubernetes.io/part-of" = var.name
      "users-info/stack"          = "infra-ecs"
      "users-info/managed-by"     = "terraform"
    },
    var.tags,
  )

  # The infra-shared outputs this stack uses, whichever way they came.
  state_outputs = one(data.terraform_remote_state.shared[*].outputs)
  shared = var.shared != null ? var.shared : {
    region             = local.state_outputs.region
    vpc_id             = local.state_outputs.vpc_id
    public_subnet_ids  = tolist(local.state_outputs.public_subnet_ids)
    private_subnet_ids = tolist(local.state_outputs.private_subnet_ids)
    ecr_repository_url = local.state_outputs.ecr_repository_url
    ecr_repository_arn = local.state_outputs.ecr_repository_arn
    table_name         = local.state_outputs.table_name
    table_arn          = local.state_outputs.table_arn
  }

  # No image yet: the task definition names a tag that is never pushed, and nothing may start a task.
  deployed = var.image_tag != null
  image    = "${local.shared.ecr_repository_url}:${coalesce(var.image_tag, "no-image-yet")}"
  capacity = {
    min = local.deployed ? var.min_capacity : 0
    max = local.deployed ? var.max_capacity : 0
  }

  container_name = var.name
  log_group_name = "/ecs/${var.name}"
}
