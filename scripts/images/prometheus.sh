#!/usr/bin/env bash
# Builds a Prometheus image from Debian bookworm's prometheus package (the version promtool comes from),
# honouring quay.io/prometheus/prometheus's contract: ENTRYPOINT /bin/prometheus with the same default
# arguments, /bin/promtool, config /etc/prometheus/prometheus.yml, data in /prometheus, consoles under
# /usr/share/prometheus, user nobody (65534), port 9090. Debian's binary serves its web UI from
# /usr/share/prometheus/web, whose JavaScript libraries are separate Debian packages: those files are
# copied in. glibc is the only library it needs. No shell.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
NOBODY=65534
# Debian's prometheus links web/static/<library> to /usr/share/javascript/<library> (and the glyphicons
# font) from these packages, its Depends (+ libjs-d3, which libjs-rickshaw brings for the d3 link).
UI_PACKAGES=(fonts-glyphicons-halflings libjs-bootstrap4 libjs-d3 libjs-eonasdan-bootstrap-datetimepicker
  libjs-jquery libjs-jquery-hotkeys libjs-moment libjs-moment-timezone libjs-mustache libjs-popper.js libjs-rickshaw)
ARGS=(--config.file=/etc/prometheus/prometheus.yml --storage.tsdb.path=/prometheus
  --web.console.libraries=/usr/share/prometheus/console_libraries --web.console.templates=/usr/share/prometheus/consoles)

rootfs_debian_begin "${IMAGE}" prometheus "${UI_PACKAGES[@]}"
SMOKE="users-info-prometheus-smoke-$$"
trap 'docker rm -f "${SMOKE}" >/dev/null 2>&1 || true; rm -rf "${WORK}"' EXIT

assemble() {
  local pkg deb
  mkdir -p "${STAGE}" "${ROOTFS}/bin"
  for pkg in prometheus "${UI_PACKAGES[@]}"; do
    deb=$(fetch_deb "${pkg}")
    dpkg-deb -x "${deb}" "${STAGE}"
    rootfs_declare "${ROOTFS}" "${deb}"
  done
  install -m 0755 "${STAGE}/usr/bin/prometheus" "${STAGE}/usr/bin/promtool" "${ROOTFS}/bin/"
  # -h copies what the links point to, so a library missing from UI_PACKAGES fails here. moment-timezone's
  # data/ (212 MB of per-zone JSON) is left out: the UI loads moment-timezone-with-data.min.js only.
  tar -C "${STAGE}" -ch --exclude=./usr/share/prometheus/web/static/moment-timezone/data \
    ./usr/share/prometheus/web | tar -x -C "${ROOTFS}"
  # Debian ships the console templates and libraries as examples; upstream's image has them here.
  mkdir -p "${ROOTFS}/usr/share/prometheus" "${ROOTFS}/etc/prometheus"
  cp -r "${STAGE}/usr/share/doc/prometheus/examples/consoles" "${STAGE}/usr/share/doc/prometheus/examples/console_libraries" \
    "${ROOTFS}/usr/share/prometheus/"
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
  rootfs_add_libraries "${ROOTFS}"
  rootfs_add_base "${ROOTFS}" nobody nogroup "${NOBODY}" /nonexistent
}

import_image() {
  rootfs_import_server prometheus "${NOBODY}" 9090 /prometheus /bin/prometheus "${ARGS[@]}"
}

# The version, the default configuration, and a start with the default arguments up to "ready".
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  out=$(docker run --rm "${id}" --version 2>&1) || die "prometheus does not start in the image: ${out}" "docker run --rm ${id} --version"
  grep -q "^prometheus, version ${IMAGE##*:}" <<<"${out}" || die "the image's prometheus says '${out}'" "check Debian's prometheus ${VERSION}"
  out=$(docker run --rm --entrypoint /bin/promtool "${id}" check config /etc/prometheus/prometheus.yml 2>&1) ||
    die "promtool rejects the image's default configuration: ${out}" "docker run --rm --entrypoint /bin/promtool ${id} check config /etc/prometheus/prometheus.yml"
  docker run -d --name "${SMOKE}" --read-only "${id}" >/dev/null
  rootfs_wait_for_log "${SMOKE}" 'Server is ready to receive web requests' 30
}

step "Assemble Prometheus ${VERSION} from Debian with its web UI" assemble
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test Prometheus in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
