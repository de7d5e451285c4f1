#!/usr/bin/env bash
# Builds a Prometheus image at the version of Debian bookworm's prometheus package (the promtool the rule
# tests use), from upstream's sources in the Go module proxy (github.com/prometheus/prometheus v0.X.Y is
# Prometheus 2.X.Y): Debian's binary is built without Kubernetes service discovery (its client-go is not
# packaged), so it cannot find pods, Services or Alertmanagers in a cluster. Honours
# quay.io/prometheus/prometheus's contract: ENTRYPOINT /bin/prometheus with the same default arguments,
# /bin/promtool, config /etc/prometheus/prometheus.yml, data in /prometheus, consoles under
# /usr/share/prometheus, user nobody (65534), port 9090. Static binaries: no libraries, no shell.
# Upstream's web UI is a React build that needs npm's toolchain and is not in the module: the image serves
# the API, the console templates and the health endpoints (docs/local-environment.md).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
NOBODY=65534
ARGS=(--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus
  --web.console.libraries=/usr/share/prometheus/console_libraries --web.console.templates=/usr/share/prometheus/consoles)

need_cmd go "install Go 1.21 or newer (https://go.dev/dl): Prometheus is built from its Go module"
rootfs_debian_begin "${IMAGE}" prometheus
SMOKE="users-info-prometheus-smoke-$$"
trap 'docker rm -f "${SMOKE}" >/dev/null 2>&1 || true; rm -rf "${WORK}"' EXIT
# 2.42.0+ds-5+deb12u1 -> v0.42.0 (Prometheus tags its Go module v0.<minor>.<patch>).
UPSTREAM="${VERSION#*:}"
UPSTREAM="${UPSTREAM%%[+~-]*}"
MODULE="github.com/prometheus/prometheus@v0.${UPSTREAM#*.}"

assemble() {
  local src flag
  src=$(cd "${WORK}" && go mod download -json "${MODULE}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -f "${src}/cmd/prometheus/main.go" ] || die "cannot download ${MODULE}" "go mod download -json ${MODULE} (is the Go module proxy reachable? go env GOPROXY)"
  mkdir -p "${ROOTFS}/bin" "${ROOTFS}/usr/share/prometheus" "${ROOTFS}/etc/prometheus"
  flag=github.com/prometheus/common/version
  # Inside the module, so its replace directives apply (go install MODULE/cmd/...@v would refuse them).
  (cd "${src}" && CGO_ENABLED=0 heartbeat "building Prometheus ${UPSTREAM}" go build -trimpath -tags netgo \
    -ldflags "-s -w -X ${flag}.Version=${UPSTREAM} -X ${flag}.Revision=${MODULE#*@} -X ${flag}.Branch=HEAD -X ${flag}.BuildUser=users-info" \
    -o "${ROOTFS}/bin/" ./cmd/prometheus ./cmd/promtool) ||
    die "building Prometheus ${UPSTREAM} from ${MODULE} failed" "read the go output above"
  cp -r "${src}/consoles" "${src}/console_libraries" "${ROOTFS}/usr/share/prometheus/"
  chmod -R u+w,go-w "${ROOTFS}/usr/share/prometheus"
  ln -s /usr/share/prometheus/consoles /usr/share/prometheus/console_libraries "${ROOTFS}/etc/prometheus/"
  # Upstream's default: Prometheus scrapes itself.
  cat >"${ROOTFS}/etc/prometheus/prometheus.yml" <<'YAML'
# Default configuration of the users-info Prometheus image (as upstream's): Prometheus scrapes itself.
# Mount your own over /etc/prometheus/prometheus.yml.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
YAML
  install -d -m 0755 -o "${NOBODY}" -g "${NOBODY}" "${ROOTFS}/prometheus"
  chown -R "${NOBODY}:${NOBODY}" "${ROOTFS}/etc/prometheus"
  rootfs_add_base "${ROOTFS}" nobody nogroup "${NOBODY}" /nonexistent
}

import_image() {
  rootfs_import_server prometheus "${NOBODY}" 9090 /prometheus /bin/prometheus "${ARGS[@]}"
}

# The version, the default configuration, a configuration with Kubernetes service discovery (what Debian's
# build lacks), and a start with the default arguments up to "ready".
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  out=$(docker run --rm "${id}" --version 2>&1) || die "prometheus does not start in the image: ${out}" "docker run --rm ${id} --version"
  grep -q "^prometheus, version ${IMAGE##*:}" <<<"${out}" || die "the image's prometheus says '${out}'" "check ${MODULE}"
  out=$(docker run --rm --entrypoint /bin/promtool "${id}" check config /etc/prometheus/prometheus.yml 2>&1) ||
    die "promtool rejects the image's default configuration: ${out}" "docker run --rm --entrypoint /bin/promtool ${id} check config /etc/prometheus/prometheus.yml"
  printf 'scrape_configs:\n  - job_name: pods\n    kubernetes_sd_configs:\n      - role: pod\n' >"${WORK}/kubernetes.yml"
  out=$(docker run --rm -v "${WORK}/kubernetes.yml:/kubernetes.yml:ro" --entrypoint /bin/promtool "${id}" check config /kubernetes.yml 2>&1) ||
    die "the image's Prometheus does not know Kubernetes service discovery: ${out}" "check the build of ${MODULE}"
  docker run -d --name "${SMOKE}" --read-only "${id}" >/dev/null
  rootfs_wait_for_log "${SMOKE}" 'Server is ready to receive web requests' 30
}

step "Build Prometheus ${UPSTREAM} from ${MODULE}" assemble
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test Prometheus in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
