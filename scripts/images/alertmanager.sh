#!/usr/bin/env bash
# Builds an Alertmanager image from Debian bookworm's prometheus-alertmanager package (the version amtool
# comes from), honouring quay.io/prometheus/alertmanager's contract: ENTRYPOINT /bin/alertmanager with the
# same default arguments, /bin/amtool, config /etc/alertmanager/alertmanager.yml, data in /alertmanager,
# user nobody (65534), port 9093. Debian's binary reads its notification templates from
# /usr/share/prometheus/alertmanager and ships no web UI (a page there says so; the API is complete);
# time zones (time_intervals' location) come from tzdata, which the package depends on. No shell.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
NOBODY=65534
ARGS=(--config.file=/etc/alertmanager/alertmanager.yml --storage.path=/alertmanager)

rootfs_debian_begin "${IMAGE}" prometheus-alertmanager tzdata
SMOKE="users-info-alertmanager-smoke-$$"
trap 'docker rm -f "${SMOKE}" >/dev/null 2>&1 || true; rm -rf "${WORK}"' EXIT

assemble() {
  local pkg deb
  mkdir -p "${STAGE}" "${ROOTFS}/bin" "${ROOTFS}/usr/share/prometheus" "${ROOTFS}/usr/share/zoneinfo" "${ROOTFS}/etc/alertmanager"
  for pkg in prometheus-alertmanager tzdata; do
    deb=$(fetch_deb "${pkg}")
    dpkg-deb -x "${deb}" "${STAGE}"
    rootfs_declare "${ROOTFS}" "${deb}"
  done
  install -m 0755 "${STAGE}/usr/bin/prometheus-alertmanager" "${ROOTFS}/bin/alertmanager"
  install -m 0755 "${STAGE}/usr/bin/amtool" "${ROOTFS}/bin/amtool"
  # Templates and the "no UI in this package" page; generate-ui.sh needs an Elm toolchain: left out.
  cp -r "${STAGE}/usr/share/prometheus/alertmanager" "${ROOTFS}/usr/share/prometheus/"
  rm -f "${ROOTFS}/usr/share/prometheus/alertmanager/generate-ui.sh"
  # right/ repeats every zone with leap seconds, which Go's time package never reads.
  tar -C "${STAGE}/usr/share/zoneinfo" -c --exclude=./right . | tar -x -C "${ROOTFS}/usr/share/zoneinfo"
  # Upstream's default routes every alert to one webhook receiver; with no receiver to reach here,
  # this one accepts alerts (visible in the API and amtool) and sends no notification.
  cat >"${ROOTFS}/etc/alertmanager/alertmanager.yml" <<'YAML'
# Default configuration of the users-info Alertmanager image: alerts are accepted and kept (API, amtool),
# no notification is sent. Mount your own over /etc/alertmanager/alertmanager.yml.
route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
YAML
  install -d -m 0755 -o "${NOBODY}" -g "${NOBODY}" "${ROOTFS}/alertmanager"
  chown -R "${NOBODY}:${NOBODY}" "${ROOTFS}/etc/alertmanager"
  rootfs_add_libraries "${ROOTFS}"
  rootfs_add_base "${ROOTFS}" nobody nogroup "${NOBODY}" /nonexistent
}

import_image() {
  rootfs_import_server alertmanager "${NOBODY}" 9093 /alertmanager /bin/alertmanager "${ARGS[@]}"
}

# The version, the default configuration, and a start with the default arguments up to listening.
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  out=$(docker run --rm "${id}" --version 2>&1) || die "alertmanager does not start in the image: ${out}" "docker run --rm ${id} --version"
  grep -q "version ${IMAGE##*:}" <<<"${out}" || die "the image's alertmanager says '${out}'" "check Debian's prometheus-alertmanager ${VERSION}"
  out=$(docker run --rm --entrypoint /bin/amtool "${id}" check-config /etc/alertmanager/alertmanager.yml 2>&1) ||
    die "amtool rejects the image's default configuration: ${out}" "docker run --rm --entrypoint /bin/amtool ${id} check-config /etc/alertmanager/alertmanager.yml"
  docker run -d --name "${SMOKE}" --read-only "${id}" >/dev/null
  rootfs_wait_for_log "${SMOKE}" 'msg="Listening on"' 30
}

step "Assemble Alertmanager ${VERSION} from Debian" assemble
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test Alertmanager in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
