# tflint configuration of every Terraform module (scripts/terraform.sh passes it with --config).
# The AWS ruleset is installed by scripts/tools.sh into ~/.cache/users-info/tflint/plugins (TFLINT_PLUGIN_DIR),
# built from its Go module at the version config/tools.versions pins; hence no `source`/`version` here,
# which would make tflint download it from GitHub.
config {
  # Lint the module as Terraform evaluates it, including calls to local modules.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  # Naming, typed and documented variables and outputs, pinned providers, no unused declarations.
  preset = "all"
}

plugin "aws" {
  enabled = true
  # Calls the AWS API to check e.g. that an instance type exists; the tests run without credentials.
  deep_check = false
}
