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

  # Multi-window, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs"), the same pairs as the
  # chart's critical UsersInfoAvailabilityBurnRate / UsersInfoLatencyBurnRate (docs/alerting.md): it fires
  # when the long AND the short window burn the 30-day error budget faster than `burn`.
  burn_windows = {
    fast = { burn = 14.4, long = 3600, short = 300 }
    slow = { burn = 6, long = 21600, short = 1800 }
  }
  # One CloudWatch alarm per (tier, window); a composite alarm per SLO ORs the tiers and ANDs the windows.
  burn_alarms = merge([
    for tier, w in local.burn_windows : {
      "${tier}-long"  = { tier = tier, burn = w.burn, period = w.long }
      "${tier}-short" = { tier = tier, burn = w.burn, period = w.short }
    }
  ]...)

  # Budgets rounded to what the objectives say (0.999 -> 0.001), not to binary fractions.
  availability_budget = tonumber(format("%.6f", 1 - var.availability_objective))
  latency_budget      = tonumber(format("%.6f", 1 - var.latency_objective))

  # Availability: share of requests answered 5xx (by the service or by the load balancer for it) above
  # burn x budget.
  availability_thresholds = { for key, a in local.burn_alarms : key => tonumber(format("%.6f", a.burn * local.availability_budget)) }
  # Latency: "more than burn x budget of requests slower than T" is "percentile 100 x (1 - burn x budget)
  # above T": p85.6 > 0.25 s at 14.4x a 1 % budget, p94 > 0.25 s at 6x. The same SLI as the chart's
  # slow-request ratio, read from the load balancer's TargetResponseTime distribution.
  latency_percentiles = { for key, a in local.burn_alarms : key => format("p%g", tonumber(format("%.4f", 100 * (1 - a.burn * local.latency_budget)))) }

  runbook = {
    for alert in ["UsersInfoAvailabilityBurnRate", "UsersInfoLatencyBurnRate", "UsersInfoRestartingTooOften", "UsersInfoAtMaxReplicas"] :
    alert => "${var.runbook_base_url}/${alert}.md"
  }
}
