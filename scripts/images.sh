#!/usr/bin/env bash
# `make images`: makes sure every image the build, the tests and the local rollout start from is
# available, and records the names of those built here in .local/images.properties (other keys kept),
# which overrides config/images.defaults.properties for Maven, scripts and tests.
#   scripts/images.sh [KEY...]        only the images with these keys (default: all of them)
#   USERS_INFO_IMAGES=auto (default)  the upstream image if its registry serves it, else build it here
#   USERS_INFO_IMAGES=local           always build here from registry packages (this machine, CI)
#   USERS_INFO_IMAGES=upstream        always the upstream images (a connected laptop)
# Each recipe under scripts/images/ takes the image name as its argument, labels the image with the hash
# of its inputs and returns at once when that label is current.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# KEY (in config/images.defaults.properties)   NAME when built here   RECIPE (scripts/images/…)
IMAGES=(
  "service.base.image users-info/jre:25 jre.sh"
  "testcontainers.ryuk.image users-info/ryuk:0.14.0 reaper.sh"
  "k6.image users-info/k6:1.8.1 k6.sh"
  "prometheus.image users-info/prometheus:2.42.0 prometheus.sh"
  "alertmanager.image users-info/alertmanager:0.25.0 alertmanager.sh"
  "kind.node.image users-info/kind-node:v1.35.4 kind-node.sh"
  "metrics-server.image users-info/metrics-server:v0.9.0 k8s-metrics-server.sh"
  "kube-state-metrics.image users-info/kube-state-metrics:v2.20.0-subset kube-state-metrics.sh"
  "moto.image users-info/moto:5.2.1 moto.sh"
  "localstack.image users-info/localstack:2026.3.0 localstack.sh"
  "dynamodb.image users-info/dynamodb-local:2.6.1 dynamodb-local.sh"
)

MODE="${USERS_INFO_IMAGES:-auto}"
PROPS="${LOCAL_DIR}/images.properties"
DEFAULTS="${ROOT_DIR}/config/images.defaults.properties"

# set_property KEY VALUE / unset_property KEY: edit .local/images.properties, keeping every other key.
set_property() {
  unset_property "$1"
  printf '%s=%s\n' "$1" "$2" >>"${PROPS}"
}
unset_property() {
  local rest=""
  [ -f "${PROPS}" ] || printf '# Written by scripts/images.sh (make images); overrides %s.\n' \
    "config/images.defaults.properties" >"${PROPS}"
  rest=$(awk -v key="$1" 'index($0, key "=") != 1' "${PROPS}")
  printf '%s\n' "${rest}" >"${PROPS}"
}
default_of() { sed -n "s/^$1=//p" "${DEFAULTS}" | tail -n 1; }

# upstream_available IMAGE: present in Docker Engine already, or pulled within a minute.
upstream_available() {
  docker image inspect "$1" >/dev/null 2>&1 || timeout 60 docker pull -q "$1" >/dev/null 2>&1
}

# wanted KEY: true when KEY was asked for on the command line, or nothing was.
wanted() {
  [ "${#SELECTED[@]}" -eq 0 ] || [[ " ${SELECTED[*]} " == *" $1 "* ]]
}

case "${MODE}" in
  auto | local | upstream) ;;
  *) die "USERS_INFO_IMAGES=${MODE} is not one of auto, local, upstream" "unset it, or see the top of $0" ;;
esac
SELECTED=("$@")
for key in "${SELECTED[@]}"; do
  printf '%s\n' "${IMAGES[@]}" | grep -q "^${key} " ||
    die "no image has the key ${key}" "choose among: $(printf '%s\n' "${IMAGES[@]}" | cut -d' ' -f1 | tr '\n' ' ')"
done

step "Docker Engine" "${ROOT_DIR}/scripts/docker-engine.sh"

for row in "${IMAGES[@]}"; do
  read -r key name recipe <<<"${row}"
  wanted "${key}" || continue
  upstream=$(default_of "${key}")
  [ -n "${upstream}" ] || die "${key} has no default in ${DEFAULTS#"${ROOT_DIR}/"}" "add '${key}=<upstream image>' there"
  if [ "${MODE}" = upstream ] || { [ "${MODE}" = auto ] && upstream_available "${upstream}"; }; then
    log "✔ ${key}: upstream ${upstream}"
    unset_property "${key}"
    # Jib pulls the service's base from its registry unless told to take it from Docker Engine.
    [ "${key}" != service.base.image ] || unset_property service.base.image.source
    continue
  fi
  [ "${MODE}" = local ] || log "  ${upstream} cannot be pulled: building ${name} here instead"
  step "${key}: ${name} (scripts/images/${recipe})" "${ROOT_DIR}/scripts/images/${recipe}" "${name}"
  set_property "${key}" "${name}"
  [ "${key}" != service.base.image ] || set_property service.base.image.source docker
done
log "✔ image names in ${PROPS#"${ROOT_DIR}/"}:"
grep -v '^#' "${PROPS}" | sed 's/^/    /' >&2 || log "    (none: the defaults in config/images.defaults.properties apply)"
