locals {
  tags = merge(
    {
      "app.kubernetes.io/part-of" = var.name
      "users-info/stack"          = "infra-shared"
      "users-info/managed-by"     = "terraform"
    },
    var.tags,
  )

  # Explicit zones win; otherwise the first az_count zones the region offers to this account.
  azs = length(var.availability_zones) > 0 ? var.availability_zones : slice(data.aws_availability_zones.available.names, 0, min(var.az_count, length(data.aws_availability_zones.available.names)))

  # Subnets are numbered by zone index with fixed offsets (public 0..7, private 8..15 of 16 equal blocks), so
  # adding a zone adds subnets without renumbering, and so recreating, the existing ones.
  subnet_newbits = 4
  public_subnets = {
    for index, az in local.azs : az => cidrsubnet(var.vpc_cidr, local.subnet_newbits, index)
  }
  private_subnets = {
    for index, az in local.azs : az => cidrsubnet(var.vpc_cidr, local.subnet_newbits, index + 8)
  }

  # One NAT gateway in the first zone (single, the default: ~33 USD a month each plus traffic), or one per
  # zone so a zone's outage does not cut the others off (one_per_az).
  nat_azs = var.nat_gateway_mode == "one_per_az" ? local.azs : [local.azs[0]]
  # The NAT gateway each private subnet's route table sends its internet traffic to.
  nat_for_az = {
    for az in local.azs : az => var.nat_gateway_mode == "one_per_az" ? az : local.azs[0]
  }

  ecr_repository_name = coalesce(var.ecr_repository_name, var.name)
}
