#!/usr/bin/env bash
# Terraform with the project's own CLI configuration (config/terraform/terraformrc: providers from the
# filesystem mirror only, never from a registry), never the user's ~/.terraformrc. docs/terraform.md.
#   scripts/terraform.sh verify MODULE...      what `mvn verify` runs per module: fmt check, init, validate,
#                                              tflint (AWS ruleset), README tables check, terraform test
#   scripts/terraform.sh docs MODULE...        rewrite the inputs/outputs tables of MODULE/README.md
#   scripts/terraform.sh emulator MODULE       point MODULE at the local AWS emulators: writes
#                                              MODULE/emulator_override.tf.json from .local/endpoints.json
#   scripts/terraform.sh run MODULE ARGS...    terraform ARGS in MODULE, e.g. `run infra-shared plan`
# MODULE is a directory (infra-shared, infra-ecs, or a path).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export TF_CLI_CONFIG_FILE="${ROOT_DIR}/config/terraform/terraformrc"
# Shared by every module and checkout: init links the 700 MB provider from here instead of copying it.
export TF_PLUGIN_CACHE_DIR="${CACHE_DIR}/terraform/plugins"
# tflint finds its AWS ruleset (built by scripts/tools.sh) next to itself.
export TFLINT_PLUGIN_DIR="${BIN_DIR}"
export TF_INPUT=0
mkdir -p "${TF_PLUGIN_CACHE_DIR}"

MIRROR=/opt/tf-plugins
PROVIDER=registry.terraform.io/hashicorp/aws
ENDPOINTS="${LOCAL_DIR}/endpoints.json"

# terraform_ready: the pinned Terraform (built by scripts/tools.sh when missing) and the AWS provider in the
# mirror, or say how to get it.
terraform_ready() {
  "${ROOT_DIR}/scripts/tools.sh" terraform
  compgen -G "${MIRROR}/${PROVIDER}/5.100.*/linux_amd64/terraform-provider-aws_*" >/dev/null ||
    die "the AWS provider 5.100.x is not in the provider mirror ${MIRROR}" \
      "on a machine that reaches registry.terraform.io: TF_CLI_CONFIG_FILE=/dev/null terraform -chdir=infra-shared providers mirror -platform=linux_amd64 ${MIRROR}"
}

module_dir() {
  local dir
  dir=$(cd "${ROOT_DIR}" && cd "$1" 2>/dev/null && pwd) || die "no Terraform module $1" "name a directory such as infra-shared or infra-ecs"
  compgen -G "${dir}/*.tf" >/dev/null || die "$1 holds no .tf files" "name a directory such as infra-shared or infra-ecs"
  echo "${dir}"
}

# relative DIR: DIR as the commands above take it (infra-ecs/modules/alarms), or absolute when outside the repository.
relative() { echo "${1#"${ROOT_DIR}/"}"; }

tf() { # tf DIR ARGS...
  local dir="$1"
  shift
  terraform -chdir="${dir}" "$@"
}

fmt_check() {
  tf "$1" fmt -check -recursive -diff ||
    die "$(relative "$1") is not formatted as terraform fmt wants (the diff is above)" "scripts/terraform.sh run $(relative "$1") fmt -recursive"
}

# The lock file is part of the module: init may not change it (a new provider version is a deliberate edit).
init_offline() {
  tf "$1" init -backend=false -lockfile=readonly -no-color >"${LOCAL_DIR}/terraform-init.log" 2>&1 || {
    cat "${LOCAL_DIR}/terraform-init.log" >&2
    die "terraform init failed in $(relative "$1") (its output is above)" "check ${TF_CLI_CONFIG_FILE} and the mirror ${MIRROR}"
  }
}

lint() {
  (cd "$1" && tflint --config "${ROOT_DIR}/config/terraform/tflint.hcl" --format compact) ||
    die "tflint found problems in $(relative "$1") (above)" "fix them, or explain an exception with a '# tflint-ignore: RULE' comment"
}

docs_check() {
  terraform-docs --config "${ROOT_DIR}/config/terraform/terraform-docs.yml" --output-check "$1" >/dev/null ||
    die "the tables in $(relative "$1")/README.md do not match the module's variables and outputs" "scripts/terraform.sh docs $(relative "$1")"
}

plan_tests() {
  tf "$1" test -no-color
}

verify() {
  local dir name
  dir=$(module_dir "$1")
  name=$(relative "${dir}")
  step "${name}: terraform fmt -check" fmt_check "${dir}"
  step "${name}: terraform init (provider from the mirror)" init_offline "${dir}"
  step "${name}: terraform validate" tf "${dir}" validate -no-color
  step "${name}: tflint with the AWS ruleset" lint "${dir}"
  step "${name}: README inputs/outputs tables up to date" docs_check "${dir}"
  if compgen -G "${dir}/tests/*.tftest.hcl" >/dev/null; then
    step "${name}: terraform test (plan tests, mocked AWS provider)" plan_tests "${dir}"
  elif [[ "${name}" == */modules/* ]]; then
    # terraform test would report "0 passed": a child module's plan tests belong to the stack that calls it.
    log "  ${name}: no plan tests of its own; the calling stack's tests/*.tftest.hcl cover it"
  else
    die "${name} has no plan tests (tests/*.tftest.hcl)" "add them: every stack is tested with mocked providers (docs/terraform.md)"
  fi
}

# emulator_override DIR: the AWS provider of DIR talks to the emulators of .local/endpoints.json (stacks
# profile) with their test credentials. Terraform merges *_override.tf.json into the module's provider
# block; the file is git-ignored and removed by `scripts/terraform.sh emulator MODULE --remove`.
emulator_override() {
  local dir="$1"
  [ -s "${ENDPOINTS}" ] || die "no emulator endpoints in ${ENDPOINTS}" "make emulators"
  need_cmd jq "apt-get install jq"
  jq '{
    "//": "Generated by scripts/terraform.sh emulator from .local/endpoints.json; not committed.",
    provider: { aws: {
      region: .region,
      access_key: .credentials.access_key_id,
      secret_key: .credentials.secret_access_key,
      skip_credentials_validation: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      s3_use_path_style: true,
      endpoints: .profiles.stacks.endpoints
    } }
  }' "${ENDPOINTS}" >"${dir}/emulator_override.tf.json"
  log "✔ $(relative "${dir}") now targets the emulators ($(jq -r '.profiles.stacks.emulator' "${ENDPOINTS}"), region $(jq -r .region "${ENDPOINTS}")): ${dir}/emulator_override.tf.json"
}

command="${1:-}"
[ "$#" -gt 0 ] && shift
case "${command}" in
  verify)
    [ "$#" -gt 0 ] || die "which module?" "scripts/terraform.sh verify infra-shared infra-eks infra-ecs"
    terraform_ready
    "${ROOT_DIR}/scripts/tools.sh" tflint tflint-ruleset-aws terraform-docs
    for module in "$@"; do verify "${module}"; done
    ;;
  docs)
    [ "$#" -gt 0 ] || die "which module?" "scripts/terraform.sh docs infra-shared infra-eks infra-ecs"
    "${ROOT_DIR}/scripts/tools.sh" terraform-docs
    for module in "$@"; do
      terraform-docs --config "${ROOT_DIR}/config/terraform/terraform-docs.yml" "$(module_dir "${module}")"
    done
    ;;
  emulator)
    [ "$#" -ge 1 ] || die "which module?" "scripts/terraform.sh emulator infra-shared"
    dir=$(module_dir "$1")
    if [ "${2:-}" = --remove ]; then
      rm -f "${dir}/emulator_override.tf.json"
      log "✔ $(relative "${dir}") targets AWS again"
    else
      emulator_override "${dir}"
    fi
    ;;
  run)
    [ "$#" -ge 2 ] || die "which module and which terraform command?" "scripts/terraform.sh run infra-shared plan"
    terraform_ready
    dir=$(module_dir "$1")
    shift
    tf "${dir}" "$@"
    ;;
  *) die "unknown command '${command}'" "scripts/terraform.sh verify|docs|emulator|run MODULE (see the header of scripts/terraform.sh)" ;;
esac
