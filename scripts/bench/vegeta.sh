#!/usr/bin/env bash
# vegeta, the benchmark's constant-rate (open model) load generator, built from its Go module into $BIN_DIR
# (on PATH for every script). Idempotent: nothing happens when $BIN_DIR/vegeta reports the pinned version.
# wrk2, the usual constant-rate wrk, is not packaged by Debian; k6's constant-arrival-rate executor is a
# JavaScript VM per virtual user and costs more CPU per request than the servers measured (docs/benchmark.md).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

VEGETA_VERSION=v12.13.0

reported() { "$1" -version 2>/dev/null | sed -n 's/^Version: //p'; }

build() {
  # Another checkout may be building it right now: wait for it, then look again.
  mkdir -p "${CACHE_DIR}/locks"
  exec {lock_fd}>"${CACHE_DIR}/locks/build-vegeta"
  flock "${lock_fd}"
  [ "$(reported "${BIN_DIR}/vegeta")" != "${VEGETA_VERSION}" ] || return 0
  # Not local: the EXIT trap runs after this function returned (steps run in a subshell).
  WORK=$(mktemp -d "${CACHE_DIR}/build-vegeta.XXXXXX")
  trap 'rm -rf "${WORK}"' EXIT
  # Static and stamped with its version (the module's default stamp is empty).
  GOBIN="${WORK}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X main.Version=${VEGETA_VERSION}" \
    "github.com/tsenart/vegeta/v12@${VEGETA_VERSION}" ||
    die "building vegeta ${VEGETA_VERSION} failed" "read the go output above; 'go env GOPROXY' must reach the Go module proxy"
  [ "$(reported "${WORK}/vegeta")" = "${VEGETA_VERSION}" ] ||
    die "the vegeta just built does not report ${VEGETA_VERSION}" "check the version stamp in $0"
  mv -f "${WORK}/vegeta" "${BIN_DIR}/vegeta"
}

if [ "$(reported "${BIN_DIR}/vegeta")" != "${VEGETA_VERSION}" ]; then
  need_cmd go "install Go 1.21 or newer (https://go.dev/dl); it fetches vegeta through the Go module proxy"
  step "Build vegeta ${VEGETA_VERSION} into ${BIN_DIR} (about 10 s with a warm Go cache, 1 min cold)" build
fi
log "✔ vegeta ${VEGETA_VERSION} (${BIN_DIR}/vegeta)"
