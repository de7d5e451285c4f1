# A production-shaped infra-shared: three zones, a NAT gateway per zone, a customer-managed key for the table.
# scripts/terraform.sh run infra-shared apply -var-file=examples/production.tfvars
region            = "eu-west-1"
az_count          = 3
nat_gateway_mode  = "one_per_az"
ecr_keep_images   = 100
table_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
tags = {
  environment = "production"
  team        = "platform"
}
