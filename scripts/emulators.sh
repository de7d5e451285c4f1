#!/usr/bin/env bash
# `make emulators` / `make emulators-down`: the AWS side of the local environment, on 127.0.0.1.
#   scripts/emulators.sh [up]   start (or reuse) the three emulators, health-check them, write the endpoints
#   scripts/emulators.sh down   remove the containers and their network
# Three emulators, because each does part of the job well (measured, docs/local-environment.md):
#   moto        the Terraform stacks: EC2/VPC, ECR, ECS, EKS, ELBv2, IAM, DynamoDB, Logs… in one state (also
#               to pods in kind: the table of make deploy_all)
#   LocalStack  alarms: community LocalStack has composite alarms, evaluates them and delivers SNS → SQS
#   DynamoDB    DynamoDB Local, AWS's own emulator, serves the test deployment's table (also to pods in kind)
# Outputs, read by Terraform, the SDKs and the tests (schema in docs/local-environment.md):
#   .local/endpoints.json   region, credentials, each emulator's URL, which service goes to which emulator
#   .local/aws/config       the same as AWS shared-config profiles users-info-stacks and users-info-alarms
# Settings (environment):
#   LOCALSTACK_AUTH_TOKEN              passed to the LocalStack container; the stacks then target LocalStack
#   USERS_INFO_STACKS_EMULATOR         moto (default) or localstack (default when LOCALSTACK_AUTH_TOKEN is set)
#   USERS_INFO_{MOTO,LOCALSTACK,DYNAMODB}_PORT   host ports (default 5000, 4566, 8000)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REGION=us-east-1
NETWORK=users-info-emulators
# Docker network of the kind cluster (scripts/cluster.sh): DynamoDB Local joins it so pods reach it by name.
KIND_NETWORK=kind
LABEL=users-info.role=emulator
ENDPOINTS="${LOCAL_DIR}/endpoints.json"
AWS_CONFIG="${LOCAL_DIR}/aws/config"
HEALTH_TIMEOUT=90

# emulator   image key (config/images.defaults.properties)   container port   host port
EMULATORS=(
  "moto moto.image 5000 ${USERS_INFO_MOTO_PORT:-5000}"
  "localstack localstack.image 4566 ${USERS_INFO_LOCALSTACK_PORT:-4566}"
  "dynamodb dynamodb.image 8000 ${USERS_INFO_DYNAMODB_PORT:-8000}"
)

# Which emulator serves each AWS service, for the two uses. The first column is the service's name in the
# Terraform AWS provider's `endpoints` block, the second its key in an AWS shared-config `services` section
# (the SDKs' service ID in snake case). Stacks: everything on the stacks emulator, because cross-service
# references are validated within one emulator (an ALB's subnets must exist in the same EC2), except, with
# moto, CloudWatch, SNS and KMS, which are LocalStack's: moto has no PutCompositeAlarm (infra-ecs's burn-rate
# alarms are composite), and the alarms' actions name the topic, so it lives beside them with its key. DynamoDB is the stacks
# emulator's too, not DynamoDB Local: DynamoDB Local has no tagging, encryption settings or point-in-time
# recovery, so a second apply of infra-shared would fail. Alarms: LocalStack.
SERVICES=(
  "applicationautoscaling application_auto_scaling"
  "autoscaling auto_scaling"
  "cloudwatch cloudwatch"
  "dynamodb dynamodb"
  "ec2 ec2"
  "ecr ecr"
  "ecs ecs"
  "eks eks"
  "elbv2 elastic_load_balancing_v2"
  "iam iam"
  "kms kms"
  "logs cloudwatch_logs"
  "s3 s3"
  "secretsmanager secrets_manager"
  "sns sns"
  "sqs sqs"
  "ssm ssm"
  "sts sts"
)
ALARM_SERVICES=" cloudwatch iam kms logs sns sqs sts "

field() { # field EMULATOR COLUMN (1-based, of EMULATORS)
  printf '%s\n' "${EMULATORS[@]}" | awk -v e="$1" -v c="$2" '$1 == e { print $c }'
}
container_of() { echo "users-info-$1"; }
url_of() { echo "http://127.0.0.1:$(field "$1" 4)"; }

# healthy EMULATOR: one probe of the emulator's own readiness signal, from the host.
healthy() {
  local url
  url=$(url_of "$1")
  case "$1" in
    moto) curl -sf -o /dev/null --max-time 2 "${url}/moto-api/" ;;
    # Ready when the services the alarm checks use are available (LocalStack starts them on first use).
    localstack) curl -sf --max-time 2 "${url}/_localstack/health" |
      jq -e '[.services.cloudwatch, .services.sns, .services.sqs] | all(. == "available" or . == "running")' >/dev/null ;;
    # DynamoDB Local needs a signed request, as from an SDK; any credentials do.
    dynamodb) curl -sf -o /dev/null --max-time 2 --aws-sigv4 "aws:amz:${REGION}:dynamodb" --user test:test \
      -H 'X-Amz-Target: DynamoDB_20120810.ListTables' -H 'Content-Type: application/x-amz-json-1.0' -d '{}' "${url}/" ;;
  esac
}

# The container's settings, hashed into a label: a running container is reused only when they still match.
run_args() { # run_args EMULATOR IMAGE
  local name port host_port
  name=$(container_of "$1")
  port=$(field "$1" 3)
  host_port=$(field "$1" 4)
  printf '%s\n' --name "${name}" --hostname "${name}" --network "${NETWORK}" --label "${LABEL}" \
    --publish "127.0.0.1:${host_port}:${port}" --restart no
  case "$1" in
    localstack)
      # By name only: docker takes the value from this environment, so it stays out of the settings hash
      # and the command line (docker inspect of the container still shows it, as with any env variable).
      [ -z "${LOCALSTACK_AUTH_TOKEN:-}" ] || printf '%s\n' --env LOCALSTACK_AUTH_TOKEN
      ;;
  esac
  printf '%s\n' "$2"
  # One database for every access key and region, so the service and the tests see the same table.
  [ "$1" != dynamodb ] || printf '%s\n' -jar DynamoDBLocal.jar -inMemory -sharedDb
}

# start EMULATOR: reuses a running container with the same settings and image; otherwise (re)creates it.
start() {
  local name image args config current
  name=$(container_of "$1")
  image=$(image_of "$(field "$1" 2)")
  docker image inspect "${image}" >/dev/null 2>&1 ||
    die "the $1 image ${image} is not in Docker Engine" "run 'make images' (or 'docker pull ${image}')"
  mapfile -t args < <(run_args "$1" "${image}")
  config=$(printf '%s\n' "${args[@]}" "$(docker image inspect -f '{{.Id}}' "${image}")" | sha256sum | cut -c1-12)
  current=$(docker inspect -f '{{.State.Running}} {{index .Config.Labels "users-info.config"}}' "${name}" 2>/dev/null) || true
  if [ "${current}" = "true ${config}" ]; then
    log "  ${name} is running (${image}), reused"
    return 0
  fi
  [ -z "${current}" ] || {
    log "  ${name} exists with other settings or stopped: replacing it"
    docker rm -f "${name}" >/dev/null
  }
  docker run --detach --label "users-info.config=${config}" "${args[@]}" >/dev/null
  log "  ${name} started from ${image} on 127.0.0.1:$(field "$1" 4)"
}

# wait_healthy EMULATOR: polls until healthy; on timeout shows the container's log and says where to look.
wait_healthy() {
  local name i started secs
  name=$(container_of "$1")
  for ((i = 0; i < HEALTH_TIMEOUT * 5; i++)); do
    if healthy "$1"; then
      started=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "${name}")" +%s.%N)
      secs=$(awk -v s="${started}" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
      if [ "${i}" -eq 0 ]; then
        log "    $1 answers on $(url_of "$1") (its container has run for ${secs} s)"
      else
        log "    $1 answers on $(url_of "$1"), ${secs} s after its container started"
      fi
      return 0
    fi
    [ "$(docker inspect -f '{{.State.Running}}' "${name}" 2>/dev/null)" = true ] || break
    sleep 0.2
  done
  docker logs --tail 30 "${name}" >&2 || true
  die "$1 did not become healthy within ${HEALTH_TIMEOUT} s (its last log lines are above)" \
    "docker logs ${name}; then 'make emulators-down emulators'"
}

network() {
  docker network inspect "${NETWORK}" >/dev/null 2>&1 ||
    docker network create --label "${LABEL}" "${NETWORK}" >/dev/null
}

# DynamoDB Local (the test deployment's table) and moto (the table of make deploy_all) join the kind cluster's
# network when it exists, so pods reach http://users-info-dynamodb:8000 and http://users-info-moto:5000 (kind's
# nodes resolve container names through Docker's embedded DNS, and CoreDNS forwards to the node).
join_kind() {
  local name="$1"
  if ! docker network inspect "${KIND_NETWORK}" >/dev/null 2>&1; then
    log "  no Docker network '${KIND_NETWORK}' (no kind cluster): ${name} is on 127.0.0.1 only"
    return 0
  fi
  if docker inspect -f '{{json .NetworkSettings.Networks}}' "${name}" | jq -e --arg n "${KIND_NETWORK}" 'has($n)' >/dev/null; then
    log "  ${name} is on network '${KIND_NETWORK}'"
  else
    docker network connect "${KIND_NETWORK}" "${name}"
    log "  ${name} joined network '${KIND_NETWORK}'"
  fi
}

stacks_emulator() {
  local chosen="${USERS_INFO_STACKS_EMULATOR:-}"
  [ -n "${chosen}" ] || { [ -n "${LOCALSTACK_AUTH_TOKEN:-}" ] && chosen=localstack; } || chosen=moto
  case "${chosen}" in
    moto) ;;
    localstack)
      [ -n "${LOCALSTACK_AUTH_TOKEN:-}" ] ||
        die "USERS_INFO_STACKS_EMULATOR=localstack needs LOCALSTACK_AUTH_TOKEN" \
          "community LocalStack has no ECS, EKS, ECR, ELBv2 or Application Auto Scaling; set a token or use moto"
      ;;
    *) die "USERS_INFO_STACKS_EMULATOR=${chosen} is not moto or localstack" "unset it (moto is the default)" ;;
  esac
  echo "${chosen}"
}

# The endpoints file and the AWS shared config, both from the tables above.
write_endpoints() {
  local stacks="$1" tf sdk emulator profile services_json="{}" alarms_json="{}" on_kind=false
  docker network inspect "${KIND_NETWORK}" >/dev/null 2>&1 && on_kind=true
  mkdir -p "${LOCAL_DIR}/aws"
  {
    printf '# Written by scripts/emulators.sh (make emulators) from the table that writes %s.\n' "${ENDPOINTS#"${ROOT_DIR}/"}"
    printf '# Use: AWS_CONFIG_FILE=%s AWS_PROFILE=users-info-stacks aws ec2 describe-vpcs\n' "${AWS_CONFIG#"${ROOT_DIR}/"}"
  } >"${AWS_CONFIG}.tmp"
  for profile in stacks alarms; do
    printf '\n[profile users-info-%s]\nregion = %s\naws_access_key_id = test\naws_secret_access_key = test\nservices = users-info-%s\n\n[services users-info-%s]\n' \
      "${profile}" "${REGION}" "${profile}" "${profile}" >>"${AWS_CONFIG}.tmp"
    for row in "${SERVICES[@]}"; do
      read -r tf sdk <<<"${row}"
      if [ "${profile}" = stacks ]; then
        emulator="${stacks}"
        [ "${stacks}" != moto ] || [[ " cloudwatch sns kms " != *" ${tf} "* ]] || emulator=localstack
        services_json=$(jq -c --arg k "${tf}" --arg v "$(url_of "${emulator}")" '.[$k] = $v' <<<"${services_json}")
      else
        [[ "${ALARM_SERVICES}" == *" ${tf} "* ]] || continue
        emulator=localstack
        alarms_json=$(jq -c --arg k "${tf}" --arg v "$(url_of "${emulator}")" '.[$k] = $v' <<<"${alarms_json}")
      fi
      printf '%s =\n  endpoint_url = %s\n' "${sdk}" "$(url_of "${emulator}")" >>"${AWS_CONFIG}.tmp"
    done
  done
  local ids="{}"
  for row in "${SERVICES[@]}"; do
    read -r tf sdk <<<"${row}"
    ids=$(jq -c --arg k "${tf}" --arg v "${sdk}" '.[$k] = $v' <<<"${ids}")
  done
  jq -n --arg region "${REGION}" --arg stacks "${stacks}" --argjson on_kind "${on_kind}" \
    --argjson stack_endpoints "${services_json}" --argjson alarm_endpoints "${alarms_json}" --argjson ids "${ids}" \
    --arg moto "$(url_of moto)" --arg localstack "$(url_of localstack)" --arg dynamodb "$(url_of dynamodb)" \
    --arg moto_image "$(image_of moto.image)" --arg localstack_image "$(image_of localstack.image)" \
    --arg dynamodb_image "$(image_of dynamodb.image)" --arg dynamodb_port "$(field dynamodb 3)" --arg moto_port "$(field moto 3)" '{
      schema_version: 1,
      region: $region,
      credentials: { access_key_id: "test", secret_access_key: "test" },
      emulators: {
        moto: { url: $moto, health_url: ($moto + "/moto-api/"), container: "users-info-moto", image: $moto_image,
                in_cluster_url: ("http://users-info-moto:" + $moto_port), on_kind_network: $on_kind },
        localstack: { url: $localstack, health_url: ($localstack + "/_localstack/health"),
                      container: "users-info-localstack", image: $localstack_image },
        dynamodb: { url: $dynamodb, container: "users-info-dynamodb", image: $dynamodb_image,
                    in_cluster_url: ("http://users-info-dynamodb:" + $dynamodb_port), on_kind_network: $on_kind }
      },
      profiles: {
        stacks: { emulator: $stacks, aws_profile: "users-info-stacks", endpoints: $stack_endpoints },
        alarms: { emulator: "localstack", aws_profile: "users-info-alarms", endpoints: $alarm_endpoints }
      },
      aws_config: { file: ".local/aws/config", service_keys: $ids }
    }' >"${ENDPOINTS}.tmp"
  mv "${AWS_CONFIG}.tmp" "${AWS_CONFIG}"
  mv "${ENDPOINTS}.tmp" "${ENDPOINTS}"
  log "  ${ENDPOINTS#"${ROOT_DIR}/"}: stacks → ${stacks}$([ "${stacks}" != moto ] || echo ' (cloudwatch, sns and kms → localstack)'), alarms → localstack"
  log "  ${AWS_CONFIG#"${ROOT_DIR}/"}: AWS_CONFIG_FILE=${AWS_CONFIG#"${ROOT_DIR}/"} AWS_PROFILE=users-info-stacks|users-info-alarms"
}

up() {
  local stacks emulator
  need_cmd jq "apt-get install jq"
  need_cmd curl "apt-get install curl"
  stacks=$(stacks_emulator)
  step "Images (make images moto.image localstack.image dynamodb.image)" \
    "${ROOT_DIR}/scripts/images.sh" moto.image localstack.image dynamodb.image
  step "Network ${NETWORK}" network
  for emulator in moto localstack dynamodb; do
    step "Container $(container_of "${emulator}")" start "${emulator}"
  done
  for emulator in moto localstack dynamodb; do
    step "Health of ${emulator} ($(url_of "${emulator}"))" wait_healthy "${emulator}"
  done
  for emulator in dynamodb moto; do
    step "$(container_of "${emulator}") on the kind network" join_kind "$(container_of "${emulator}")"
  done
  step "Endpoints file" write_endpoints "${stacks}"
}

down() {
  local emulator name
  for emulator in moto localstack dynamodb; do
    name=$(container_of "${emulator}")
    if docker inspect "${name}" >/dev/null 2>&1; then
      docker rm -f "${name}" >/dev/null
      log "✔ removed ${name}"
    fi
  done
  if docker network inspect "${NETWORK}" >/dev/null 2>&1; then
    docker network rm "${NETWORK}" >/dev/null
    log "✔ removed network ${NETWORK}"
  fi
  # Clients must not find endpoints of emulators that are gone.
  rm -f "${ENDPOINTS}" "${AWS_CONFIG}"
  rmdir "${LOCAL_DIR}/aws" 2>/dev/null || true
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  *) die "unknown command '$1'" "usage: $0 [up|down]" ;;
esac
