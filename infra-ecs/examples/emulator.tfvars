# Against the local emulators, after infra-shared was applied there with its emulator.tfvars.
# scripts/terraform.sh run infra-ecs apply -var-file=examples/emulator.tfvars
region = "us-east-1"
