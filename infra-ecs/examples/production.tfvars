# A production-shaped infra-ecs, reading infra-shared's state from S3.
# scripts/terraform.sh run infra-ecs apply -var-file=examples/production.tfvars -var image_tag=0.1.0
region = "eu-west-1"
shared_state = {
  backend = "s3"
  config = {
    bucket = "CHANGE-ME-terraform-state"
    key    = "users-info/infra-shared.tfstate"
    region = "eu-west-1"
  }
}
cpu                     = 512
memory                  = 1024
min_capacity            = 2
max_capacity            = 20
certificate_arn         = "arn:aws:acm:eu-west-1:123456789012:certificate/0b5e4e1e-1111-2222-3333-444455556666"
alb_deletion_protection = true
log_retention_days      = 90
alarm_subscriptions = [
  { protocol = "https", endpoint = "https://events.pagerduty.com/integration/CHANGE-ME/enqueue" },
]
tags = {
  environment = "production"
  team        = "platform"
}
