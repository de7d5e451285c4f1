#!/usr/bin/env bash
# make deploy_all / make destroy_all: the whole platform, in the order of docs/deploy.md:
# infra-shared → infra-eks and infra-ecs (each behind its switch) → image → service on each stack → endpoints.
#   scripts/deploy.sh up       deploy_all: apply what the switches ask for, remove what they switch off
#   scripts/deploy.sh down     destroy_all: remove both stacks, then infra-shared
# Environment:
#   ENV=local (default)  the local AWS emulators (make emulators) and the kind cluster (make cluster); no
#                        AWS account. State lives in .local/deploy/<module>/, away from the module sources.
#   ENV=aws              a real account, with the credentials of the environment (AWS_PROFILE, …). State is
#                        the module's own (local, or S3: docs/terraform.md); variables from
#                        TFVARS_DIR/<module>.tfvars (start from each module's examples/production.tfvars).
#   DEPLOY_EKS=true|false, DEPLOY_ECS=true|false (default true): whether each stack exists. Switching one
#                        off removes that stack on the next `up`; infra-shared and the other stack stay.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ACTION="${1:-}"
ENV="${ENV:-local}"
DEPLOY_EKS="${DEPLOY_EKS:-true}"
DEPLOY_ECS="${DEPLOY_ECS:-true}"
TFVARS_DIR="${TFVARS_DIR:-}"
RELEASE=users-info
NAMESPACE=users-info
CHART="${ROOT_DIR}/infra-eks/chart/users-info"
STATE_DIR="${LOCAL_DIR}/deploy"
GAPS="${ROOT_DIR}/config/terraform/emulator-gaps.json"
RACES="${ROOT_DIR}/config/terraform/emulator-races.json"

case "${ACTION}" in
  up | down) ;;
  *) die "usage: $0 up|down" "make deploy_all (up) or make destroy_all (down); settings in the header of $0" ;;
esac
case "${ENV}" in
  local | aws) ;;
  *) die "ENV=${ENV} is neither local nor aws" "ENV=local (the emulators and kind, the default) or ENV=aws (a real account)" ;;
esac
for switch in DEPLOY_EKS DEPLOY_ECS; do
  case "${!switch}" in
    true | false) ;;
    *) die "${switch}=${!switch} is neither true nor false" "${switch}=true keeps or creates that stack, ${switch}=false removes it" ;;
  esac
done
if [ "${ACTION}" = down ]; then
  DEPLOY_EKS=false
  DEPLOY_ECS=false
fi

terraform_cmd() { "${ROOT_DIR}/scripts/terraform.sh" run "$@"; }

# workdir MODULE: where Terraform runs for MODULE. Locally a copy of the module's sources beside its state in
# .local/deploy (re-synced each run, so the emulator override never lands in the source tree and local state
# never mixes with an account's); on AWS the module itself, with whatever backend it is configured for.
workdir() {
  if [ "${ENV}" = aws ]; then
    echo "${ROOT_DIR}/$1"
  else
    echo "${STATE_DIR}/$1"
  fi
}

# sync_local MODULE: refresh the local copy of MODULE (every file but state, caches, tests and build output)
# and point its provider at the emulators.
sync_local() {
  local module="$1" dir
  dir=$(workdir "${module}")
  mkdir -p "${dir}"
  find "${dir}" -mindepth 1 -maxdepth 1 ! -name 'terraform.tfstate*' ! -name .terraform -exec rm -rf {} +
  tar -C "${ROOT_DIR}/${module}" --exclude=.terraform --exclude='terraform.tfstate*' --exclude=target \
    --exclude=test --exclude=tests --exclude=src --exclude=chart --exclude=addons --exclude=pom.xml \
    --exclude='*_override.tf.json' -cf - . | tar -C "${dir}" -xf -
  "${ROOT_DIR}/scripts/terraform.sh" emulator "${dir}" >/dev/null
}

# var_args MODULE: the -var-file (and, locally, -var) arguments for MODULE, one per line.
var_args() {
  local module="$1"
  if [ "${ENV}" = local ]; then
    echo "-var-file=examples/emulator.tfvars"
    [ "${module}" = infra-shared ] ||
      echo "-var=shared_state={backend=\"local\",config={path=\"$(workdir infra-shared)/terraform.tfstate\"}}"
  else
    echo "-var-file=${TFVARS_DIR}/${module}.tfvars"
  fi
}

init() {
  terraform_cmd "$(workdir "$1")" init -input=false -lockfile=readonly -no-color >"${LOCAL_DIR}/deploy-init-$1.log" ||
    die "terraform init failed in $1" "read ${LOCAL_DIR}/deploy-init-$1.log"
}

# has_state MODULE: whether MODULE's state holds any resource.
has_state() {
  local dir
  dir=$(workdir "$1")
  [ -d "${dir}/.terraform" ] || [ "${ENV}" = aws ] || return 1
  [ -n "$(terraform_cmd "${dir}" state list 2>/dev/null)" ]
}

# emulator_race LOG: the reason of the first race in config/terraform/emulator-races.json that LOG shows.
emulator_race() {
  local pattern why
  while IFS=$'\t' read -r pattern why; do
    if grep -qE "${pattern}" "$1"; then
      echo "${why}"
      return 0
    fi
  done < <(jq -r '.retryable_errors[] | [.pattern, .why] | @tsv' "${RACES}")
  return 1
}

# terraform_logged LOG DIR ARGS...: terraform ARGS in DIR, its output in LOG. Locally, an error an emulator
# answers to a race within the run is retried, at most twice; each failed attempt's log is kept as LOG.N.
terraform_logged() {
  local logfile="$1" attempt=1 why
  shift
  rm -f "${logfile}".[12]
  until terraform_cmd "$@" >"${logfile}"; do
    [ "${ENV}" = local ] && [ "${attempt}" -lt 3 ] && why=$(emulator_race "${logfile}") || return 1
    mv "${logfile}" "${logfile}.${attempt}"
    log "  ↻ again (attempt $((attempt + 1)) of 3; ${logfile}.${attempt} has the failed one): ${why}"
    attempt=$((attempt + 1))
    sleep 2
  done
}

# apply MODULE [ARGS...]: terraform apply with the module's variables. Locally, resources that no emulator
# can create (config/terraform/emulator-gaps.json) are left out with -target, and named.
apply() {
  local module="$1" dir targets=() gaps
  shift
  dir=$(workdir "${module}")
  local vars=()
  mapfile -t vars < <(var_args "${module}")
  if [ "${ENV}" = local ] && gaps=$(jq -r --arg m "${module}" '.[$m] // [] | map(.resource_type) | join(" ")' "${GAPS}") &&
    [ -n "${gaps}" ]; then
    terraform_cmd "${dir}" plan -input=false -no-color -out=deploy.tfplan "${vars[@]}" "$@" >"${LOCAL_DIR}/deploy-plan-${module}.log" ||
      die "terraform plan failed in ${module}" "read ${LOCAL_DIR}/deploy-plan-${module}.log"
    local plan
    plan=$(terraform_cmd "${dir}" show -json deploy.tfplan) || die "terraform show failed in ${module}" "run it again"
    mapfile -t targets < <(jq -r --arg gaps " ${gaps} " '.resource_changes[] | select(.change.actions != ["no-op"])
      | .type as $type | select($gaps | contains(" " + $type + " ") | not) | "-target=" + .address' <<<"${plan}")
    log "  left out on the emulators (config/terraform/emulator-gaps.json): ${gaps}"
    [ "${#targets[@]}" -gt 0 ] || return 0
  fi
  terraform_logged "${LOCAL_DIR}/deploy-apply-${module}.log" \
    "${dir}" apply -input=false -auto-approve -no-color "${vars[@]}" "${targets[@]}" "$@" ||
    die "terraform apply failed in ${module}" "read ${LOCAL_DIR}/deploy-apply-${module}.log (the state keeps what was created; run again after fixing)"
}

destroy() {
  local module="$1" vars=()
  mapfile -t vars < <(var_args "${module}")
  terraform_logged "${LOCAL_DIR}/deploy-destroy-${module}.log" \
    "$(workdir "${module}")" destroy -input=false -auto-approve -no-color "${vars[@]}" ||
    die "terraform destroy failed in ${module}" "read ${LOCAL_DIR}/deploy-destroy-${module}.log"
}

output() {
  terraform_cmd "$(workdir "$1")" output -raw -no-color "$2" 2>/dev/null || echo "(no output $2: see ${LOCAL_DIR}/deploy-apply-$1.log)"
}

# stack MODULE: prepare MODULE's working directory and init it.
stack() {
  [ "${ENV}" = aws ] || sync_local "$1"
  init "$1"
}

# remove_stack MODULE: destroy MODULE when its state holds anything.
remove_stack() {
  local module="$1"
  [ -d "$(workdir "${module}")" ] || return 0
  [ "${ENV}" = aws ] || sync_local "${module}"
  init "${module}"
  if has_state "${module}"; then
    step "${module}: destroy (switched off)" destroy "${module}"
  else
    log "✔ ${module}: nothing to remove"
  fi
}

# The kind cluster is the local stand-in for EKS: the EKS stack itself cannot be applied to an emulator
# (docs/terraform.md, "Emulator gaps"), so locally DEPLOY_EKS decides whether the service runs in kind.
kind_up() {
  step "Kind cluster (make cluster)" "${ROOT_DIR}/scripts/cluster.sh"
  step "Service image (Jib, with the AOT cache; tests skipped: make test runs them)" \
    "${ROOT_DIR}/scripts/mvn.sh" -B -q -pl service -am verify -DskipTests
  local table endpoint
  table=$(output infra-shared table_name)
  endpoint=$(jq -r .emulators.moto.in_cluster_url "${LOCAL_DIR}/endpoints.json")
  # infra-shared's table, in the stacks emulator (moto) as pods reach it; the service must not create it.
  HELM_EXTRA_ARGS="--set-string config.users-info.dynamodb.table=${table} --set-string config.users-info.dynamodb.endpoint=${endpoint} --set config.users-info.dynamodb.create-table=false" \
    step "users-info in kind (scripts/deploy-kind.sh)" "${ROOT_DIR}/scripts/deploy-kind.sh"
}

kind_down() {
  export KUBECONFIG="${LOCAL_DIR}/kubeconfig"
  if [ -f "${KUBECONFIG}" ] && helm status "${RELEASE}" -n "${NAMESPACE}" >/dev/null 2>&1; then
    step "users-info removed from kind (helm uninstall, namespace ${NAMESPACE})" \
      sh -c "helm uninstall ${RELEASE} -n ${NAMESPACE} --wait >/dev/null && kubectl delete namespace ${NAMESPACE} --wait=true >/dev/null"
  else
    log "✔ users-info is not in kind: nothing to remove"
  fi
}

# On AWS: the image goes to infra-shared's ECR repository under the commit's tag (the repository's tags
# are immutable, so a tag is pushed once and a dirty tree is refused).
aws_image() {
  local repository tag registry aws_bin
  [ -z "$(git -C "${ROOT_DIR}" status --porcelain)" ] ||
    die "the working tree has uncommitted changes" "commit them: the image is tagged with the commit, and ECR tags are immutable"
  tag=$(git -C "${ROOT_DIR}" rev-parse --short=12 HEAD)
  repository=$(output infra-shared ecr_repository_url)
  registry="${repository%%/*}"
  aws_bin="$("${ROOT_DIR}/scripts/venv.sh" awscli)/bin/aws"
  export DOCKER_CONFIG="${LOCAL_DIR}/docker-aws"
  mkdir -p "${DOCKER_CONFIG}"
  step "Service image (Jib, with the AOT cache)" "${ROOT_DIR}/scripts/mvn.sh" -B -q -pl service -am verify -DskipTests
  if "${aws_bin}" ecr describe-images --repository-name "${repository#*/}" --image-ids "imageTag=${tag}" >/dev/null 2>&1; then
    log "✔ ${repository}:${tag} is already in ECR"
  else
    "${aws_bin}" ecr get-login-password --region "$(output infra-shared region)" |
      docker login --username AWS --password-stdin "${registry}" >/dev/null ||
      die "docker login to ${registry} failed" "check the credentials of the environment (aws sts get-caller-identity)"
    docker tag "$(image_of service.image)" "${repository}:${tag}"
    step "Push ${repository}:${tag}" docker push "${repository}:${tag}"
  fi
  IMAGE_TAG="${tag}"
  IMAGE_REPOSITORY="${repository}"
}

eks_service() {
  local aws_bin values
  aws_bin="$("${ROOT_DIR}/scripts/venv.sh" awscli)/bin/aws"
  export KUBECONFIG="${LOCAL_DIR}/kubeconfig-eks"
  "${aws_bin}" eks update-kubeconfig --name "$(output infra-eks cluster_name)" --region "$(output infra-shared region)" >/dev/null ||
    die "cannot write a kubeconfig for the EKS cluster" "aws eks describe-cluster --name $(output infra-eks cluster_name)"
  values="${LOCAL_DIR}/helm-values-eks.json"
  terraform_cmd "$(workdir infra-eks)" output -json helm_values >"${values}"
  step "users-info on EKS (helm upgrade --install --wait)" helm upgrade --install "${RELEASE}" "${CHART}" \
    --namespace "${NAMESPACE}" --create-namespace -f "${CHART}/ci/eks-values.yaml" -f "${values}" \
    --set-string "image.repository=${IMAGE_REPOSITORY}" --set-string "image.tag=${IMAGE_TAG}" --wait --timeout 10m
}

up() {
  if [ "${ENV}" = local ]; then
    step "AWS emulators (make emulators)" "${ROOT_DIR}/scripts/emulators.sh" up
  else
    [ -n "${TFVARS_DIR}" ] || die "ENV=aws needs TFVARS_DIR" "a directory with infra-shared.tfvars, infra-eks.tfvars and infra-ecs.tfvars (copy each module's examples/production.tfvars)"
    local module
    for module in infra-shared infra-eks infra-ecs; do
      [ -f "${TFVARS_DIR}/${module}.tfvars" ] || die "no ${TFVARS_DIR}/${module}.tfvars" "copy ${module}/examples/production.tfvars there and edit it"
    done
  fi
  stack infra-shared
  step "infra-shared: apply (VPC, ECR, users table)" apply infra-shared

  if "${DEPLOY_EKS}"; then
    if [ "${ENV}" = aws ]; then
      stack infra-eks
      step "infra-eks: apply (EKS, nodes, Pod Identity)" apply infra-eks
    else
      kind_up
    fi
  else
    if [ "${ENV}" = aws ]; then
      remove_stack infra-eks
    else
      kind_down
    fi
  fi

  if [ "${ENV}" = aws ] && { "${DEPLOY_EKS}" || "${DEPLOY_ECS}"; }; then
    aws_image
    ! "${DEPLOY_EKS}" || eks_service
  fi

  if "${DEPLOY_ECS}"; then
    stack infra-ecs
    # Locally there is no registry to push to: the service exists without tasks (no image_tag).
    if [ "${ENV}" = aws ]; then
      step "infra-ecs: apply with image ${IMAGE_TAG} (ECS, ALB, autoscaling, alarms)" apply infra-ecs "-var=image_tag=${IMAGE_TAG}"
    else
      step "infra-ecs: apply (ECS, ALB, autoscaling, alarms; no image: no tasks)" apply infra-ecs
    fi
  else
    remove_stack infra-ecs
  fi
  endpoints
}

endpoints() {
  log "Deployed (ENV=${ENV}, DEPLOY_EKS=${DEPLOY_EKS}, DEPLOY_ECS=${DEPLOY_ECS}):"
  log "  infra-shared  vpc $(output infra-shared vpc_id), table $(output infra-shared table_name), ECR $(output infra-shared ecr_repository_url)"
  if "${DEPLOY_EKS}"; then
    if [ "${ENV}" = local ]; then
      log "  kind          http://127.0.0.1:30080 (Prometheus http://127.0.0.1:30090, Alertmanager http://127.0.0.1:30093)"
    else
      log "  EKS           cluster $(output infra-eks cluster_name); KUBECONFIG=${LOCAL_DIR}/kubeconfig-eks kubectl -n ${NAMESPACE} get svc,pods"
    fi
  fi
  ! "${DEPLOY_ECS}" || log "  ECS           http://$(output infra-ecs alb_dns_name) (cluster $(output infra-ecs cluster_name))"
}

down() {
  if [ "${ENV}" = aws ]; then
    local aws_bin
    if [ -d "$(workdir infra-eks)/.terraform" ] && has_state infra-eks; then
      aws_bin="$("${ROOT_DIR}/scripts/venv.sh" awscli)/bin/aws"
      export KUBECONFIG="${LOCAL_DIR}/kubeconfig-eks"
      # The release first: its Service may own a load balancer that would keep the VPC from being deleted.
      if "${aws_bin}" eks update-kubeconfig --name "$(output infra-eks cluster_name)" --region "$(output infra-shared region)" >/dev/null &&
        helm status "${RELEASE}" -n "${NAMESPACE}" >/dev/null 2>&1; then
        step "users-info removed from EKS (helm uninstall)" helm uninstall "${RELEASE}" -n "${NAMESPACE}" --wait
      fi
    fi
    remove_stack infra-eks
  else
    kind_down
  fi
  remove_stack infra-ecs
  remove_stack infra-shared
}

need_cmd jq "apt-get install jq"
"${ACTION}"
