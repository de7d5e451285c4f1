#!/usr/bin/env bash
# `make images`: makes sure the images the build and tests start from are available, and records their
# names in .local/images.properties (other keys kept), which overrides config/images.defaults.properties
# for Maven, scripts and tests.
#   USERS_INFO_IMAGES=auto (default)  upstream images if the registry serves them, else build them here
#   USERS_INFO_IMAGES=local           always build here from Debian packages (this machine, CI)
#   USERS_INFO_IMAGES=upstream        always the upstream images (a connected laptop)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MODE="${USERS_INFO_IMAGES:-auto}"
PROPS="${LOCAL_DIR}/images.properties"
DEFAULTS="${ROOT_DIR}/config/images.defaults.properties"
JRE_IMAGE="${USERS_INFO_JRE_IMAGE:-users-info/jre:25}"

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

case "${MODE}" in
  auto | local | upstream) ;;
  *) die "USERS_INFO_IMAGES=${MODE} is not one of auto, local, upstream" "unset it, or see the top of $0" ;;
esac

step "Docker Engine" "${ROOT_DIR}/scripts/docker-engine.sh"

base=$(default_of service.base.image)
if [ "${MODE}" = upstream ] || { [ "${MODE}" = auto ] && upstream_available "${base}"; }; then
  log "✔ service base image: upstream ${base} (Jib pulls it from its registry)"
  unset_property service.base.image
  unset_property service.base.image.source
else
  [ "${MODE}" = local ] || log "  ${base} cannot be pulled: building the base image here instead"
  step "Service base image ${JRE_IMAGE} (JDK 25 runtime, jlink + Debian)" "${ROOT_DIR}/scripts/images/jre.sh"
  set_property service.base.image "${JRE_IMAGE}"
  set_property service.base.image.source docker
fi
log "✔ image names in ${PROPS#"${ROOT_DIR}/"}:"
grep -v '^#' "${PROPS}" | sed 's/^/    /' >&2 || log "    (none: the defaults in config/images.defaults.properties apply)"
