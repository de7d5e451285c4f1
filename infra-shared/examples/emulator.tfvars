# Against the local emulators (make emulators; scripts/terraform.sh emulator infra-shared): everything
# must be destroyable again, so no deletion protection and no images kept back.
# scripts/terraform.sh run infra-shared apply -var-file=examples/emulator.tfvars
region                    = "us-east-1"
ecr_force_delete          = true
table_deletion_protection = false
# The stacks profile serves DynamoDB from DynamoDB Local, which has no UpdateContinuousBackups: with
# point-in-time recovery on, the apply fails there (UnknownOperationException).
table_point_in_time_recovery = false
tags = {
  environment = "local"
}
