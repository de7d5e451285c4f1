#!/usr/bin/env bash
# Makes Docker Engine usable: installs Debian's docker.io, starts dockerd without systemd and, on hosts
# whose capability bounding set is incomplete, makes dockerd run containers through runc-bounded so
# that privileged containers (kind nodes) work. Returns at once when all of that is already true.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DAEMON_JSON=/etc/docker/daemon.json
WRAPPER_SRC="${ROOT_DIR}/scripts/runtime/runc-bounded"
# Outside the checkout: dockerd keeps using the wrapper after this clone is deleted.
WRAPPER=/usr/local/libexec/users-info/runc-bounded
PROBE_IMAGE=users-info/probe:local
CHECK_NEXT="check ${DOCKERD_LOG} and 'docker info'"

# True when this host's bounding set lacks capabilities that the running kernel knows.
caps_bounded() {
  local bounding last
  bounding=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  last=$(cat /proc/sys/kernel/cap_last_cap)
  [ $((0x${bounding})) -ne $(((1 << (last + 1)) - 1)) ]
}

# docker_ready: the daemon answers and, where needed, runs containers through the current wrapper
# and will still do so after a restart.
docker_ready() {
  local runtime
  runtime=$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null) || return 1
  ! caps_bounded || {
    [ "${runtime}" = bounded ] && cmp -s "${WRAPPER_SRC}" "${WRAPPER}" &&
      jq -e --arg path "${WRAPPER}" '."default-runtime" == "bounded" and .runtimes.bounded.path == $path' \
        "${DAEMON_JSON}" >/dev/null 2>&1
  }
}

docker_ready && exit 0
[ "$(id -u)" -eq 0 ] || die "Docker Engine is not usable and setting it up needs root" \
  "run 'sudo $0', or start dockerd yourself and check 'docker info'"

# Pid of the host's dockerd (from its pid file: pidof would also see dockerd inside containers).
dockerd_pid() {
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null) && [ -d "/proc/${pid}" ] && echo "${pid}"
}

# wait_docker PID SECONDS: until the daemon answers; fails early when dockerd died.
wait_docker() {
  local deadline=$((SECONDS + $2))
  until docker info >/dev/null 2>&1; do
    kill -0 "$1" 2>/dev/null || { tail -n 20 "${DOCKERD_LOG}" >&2; die "dockerd exited" "${CHECK_NEXT}"; }
    [ "${SECONDS}" -lt "${deadline}" ] || die "dockerd did not answer within $2 s" "${CHECK_NEXT}"
    sleep 0.5
  done
}

start_dockerd() {
  # No systemd here. setsid puts dockerd in its own session, so it outlives this script and whatever
  # stops this script's process group; without a fork, $! is dockerd itself.
  mkdir -p "$(dirname "${DOCKERD_LOG}")"
  setsid dockerd >>"${DOCKERD_LOG}" 2>&1 </dev/null &
  wait_docker "$!" 60
}

# dockerd rereads runtimes and default-runtime on SIGHUP, so running containers survive.
reload_dockerd() {
  local deadline=$((SECONDS + 10))
  kill -HUP "$(dockerd_pid)"
  until [ "$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null)" = bounded ]; do
    [ "${SECONDS}" -lt "${deadline}" ] || die "dockerd did not pick up ${DAEMON_JSON}" "restart dockerd, then ${CHECK_NEXT}"
    sleep 0.5
  done
}

# Privileged run and exec ask for every capability: the paths that fail without the wrapper. The probe
# image is a static busybox, so no registry is needed.
probe_privileged() {
  if ! docker image inspect "${PROBE_IMAGE}" >/dev/null 2>&1; then
    apt_install busybox-static
    local rootfs
    rootfs=$(mktemp -d)
    install -D /bin/busybox "${rootfs}/bin/busybox"
    tar -C "${rootfs}" -c . | docker import --change 'ENTRYPOINT ["/bin/busybox"]' - "${PROBE_IMAGE}" >/dev/null
    rm -rf "${rootfs}"
  fi
  local id
  docker run --rm --privileged "${PROBE_IMAGE}" true ||
    die "a privileged container does not start" "${CHECK_NEXT}; 'docker run --rm --privileged ${PROBE_IMAGE} true' reproduces it"
  id=$(docker run -d --rm --privileged "${PROBE_IMAGE}" sleep 60)
  docker exec --privileged "${id}" /bin/busybox true ||
    die "docker exec --privileged fails" "${CHECK_NEXT}; the runtime is ${WRAPPER}"
  docker rm -f "${id}" >/dev/null
}

step "Install Docker Engine (Debian docker.io, jq)" apt_install docker.io jq
need_cmd dockerd "apt-get install docker.io"
changed=false
if caps_bounded; then
  if ! cmp -s "${WRAPPER_SRC}" "${WRAPPER}"; then
    step "Install ${WRAPPER} (this host's capability bounding set is incomplete)" \
      install -D -m 0755 "${WRAPPER_SRC}" "${WRAPPER}"
    changed=true
  fi
  current='{}'
  [ ! -s "${DAEMON_JSON}" ] || current=$(cat "${DAEMON_JSON}")
  desired=$(jq -S --arg path "${WRAPPER}" '. * {runtimes: {bounded: {path: $path}}, "default-runtime": "bounded"}' \
    <<<"${current}") || die "${DAEMON_JSON} is not valid JSON" "fix or remove it, then rerun $0"
  if [ "$(jq -S . <<<"${current}")" != "${desired}" ]; then
    step "Make runtime 'bounded' dockerd's default in ${DAEMON_JSON} (other keys kept)" \
      install -D -m 0644 /dev/stdin "${DAEMON_JSON}" <<<"${desired}"
    changed=true
  fi
fi
if ! pid=$(dockerd_pid); then
  step "Start dockerd (log: ${DOCKERD_LOG})" start_dockerd
  changed=true
elif "${changed}"; then
  step "Reload dockerd" reload_dockerd
else
  step "Wait for the running dockerd" wait_docker "${pid}" 60
fi
if "${changed}"; then
  step "Check privileged containers" probe_privileged
fi
docker_ready || die "Docker Engine is still not ready" "${CHECK_NEXT}"
