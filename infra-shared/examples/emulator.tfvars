# Against the local emulators (make emulators; scripts/terraform.sh emulator infra-shared): everything
# must be destroyable again, so no deletion protection and no images kept back.
# scripts/terraform.sh run infra-shared apply -var-file=examples/emulator.tfvars
region                    = "us-east-1"
ecr_force_delete          = true
table_deletion_protection = false
tags = {
  environment = "local"
}
