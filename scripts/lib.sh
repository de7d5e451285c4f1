# shellcheck shell=bash
# Common helpers, sourced by every script under scripts/.
# Conventions: each script is idempotent, prints one "▶ step" line per step with its duration,
# and on failure says what to check next.
set -euo pipefail
# Without this, bash drops errexit inside $(...), so a failure there would go unnoticed.
shopt -s inherit_errexit

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Per-checkout generated configuration (image names, endpoints); git-ignored.
LOCAL_DIR="${ROOT_DIR}/.local"
# Tools and build caches shared by every checkout on this machine, so a fresh clone is fast.
CACHE_DIR="${USERS_INFO_CACHE:-${HOME}/.cache/users-info}"
BIN_DIR="${CACHE_DIR}/bin"
# Debian packages unpacked into images and tool directories (never installed), shared by every checkout.
DEB_CACHE="${CACHE_DIR}/debs"
mkdir -p "${LOCAL_DIR}" "${BIN_DIR}"
export PATH="${BIN_DIR}:${PATH}"

log() { printf '%s\n' "$*" >&2; }

# die MESSAGE [HINT]: stop with what went wrong and what to do about it.
die() {
  log "✘ $1"
  [ -n "${2:-}" ] && log "  → $2"
  exit 1
}

# step NAME COMMAND...: run COMMAND, print its name and wall time; on failure say which step failed.
# COMMAND runs in a subshell with errexit on: bash ignores `set -e` inside anything called from `||`,
# so a failing command in the middle of a step function would otherwise go unnoticed. The price:
# variables a step sets do not reach the caller (decide at top level, or pass results via files).
step() {
  local name="$1" start rc=0
  shift
  start=$(date +%s.%N)
  log "▶ ${name}"
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  local secs
  secs=$(awk -v s="${start}" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  if [ "${rc}" -ne 0 ]; then
    log "✘ ${name} failed after ${secs} s (exit ${rc})"
    return "${rc}"
  fi
  log "✔ ${name} (${secs} s)"
}

# need_cmd NAME FIX: fail with the component's name and the command that installs it.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed" "$2"
}

# recipe_hash FILE...: content hash of the inputs of a cached build; a rebuild happens only when it changes.
recipe_hash() {
  cat "$@" | sha256sum | cut -c1-12
}

# apt_install PACKAGE...: install Debian packages that are missing (apt-get update only when needed).
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'install ok installed' || missing+=("${pkg}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "  installing from Debian: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    die "root is needed to install ${missing[*]}" "sudo apt-get install -y ${missing[*]}"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# fetch_deb PACKAGE: path of the candidate .deb, downloaded once into the shared cache.
fetch_deb() {
  local name
  name=$(apt-get download --print-uris "$1" 2>/dev/null | awk '{ print $2 }') || true
  if [ -z "${name}" ]; then
    [ "$(id -u)" -eq 0 ] || die "apt does not know $1" "run 'sudo apt-get update', then rerun $0"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    name=$(apt-get download --print-uris "$1" | awk '{ print $2 }')
  fi
  [ -n "${name}" ] || die "apt knows no package $1" "check 'apt-cache policy $1' and the apt sources"
  mkdir -p "${DEB_CACHE}"
  [ -s "${DEB_CACHE}/${name}" ] ||
    (cd "${DEB_CACHE}" && apt-get download -qq -o APT::Sandbox::User=root "$1") ||
    die "cannot download the Debian package $1" "check 'apt-get download $1' and the apt sources"
  echo "${DEB_CACHE}/${name}"
}

# heartbeat LABEL COMMAND...: run COMMAND, saying every 30 s that LABEL is still going, so a long build
# does not look hung.
heartbeat() {
  local label="$1" start ticker rc=0
  shift
  start=$(date +%s)
  (
    trap 'kill "${nap:-}" 2>/dev/null; exit 0' TERM
    while :; do
      sleep 30 &
      nap=$!
      wait "${nap}"
      log "  … ${label}: $(($(date +%s) - start)) s"
    done
  ) &
  ticker=$!
  "$@" || rc=$?
  kill "${ticker}" 2>/dev/null || true
  wait "${ticker}" 2>/dev/null || true
  return "${rc}"
}

# image_of KEY: the image the configuration names for KEY: .local/images.properties (written by
# `make images`) over config/images.defaults.properties (the upstream images).
image_of() {
  local value
  value=$(cat "${ROOT_DIR}/config/images.defaults.properties" "${LOCAL_DIR}/images.properties" 2>/dev/null |
    sed -n "s/^$1=//p" | tail -n 1)
  [ -n "${value}" ] || die "no image is configured for $1" "add '$1=<image>' to config/images.defaults.properties"
  echo "${value}"
}

# Every image recipe under scripts/images/ labels what it builds with users-info.recipe, the hash of its
# inputs (recipe_hash), and rebuilds only when that hash changes.
# recipe_of IMAGE: the label; empty when IMAGE is absent or was not built here.
recipe_of() {
  docker image inspect -f '{{index .Config.Labels "users-info.recipe"}}' "$1" 2>/dev/null || true
}

# image_is_current IMAGE RECIPE: true (and says so) when IMAGE was built from this recipe hash.
image_is_current() {
  [ "$(recipe_of "$1")" = "$2" ] || return 1
  log "✔ $1 is up to date (recipe $2, $(image_size "$1"))"
}

image_size() {
  docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

# tag_image ID IMAGE: tag the smoke-tested build ID as IMAGE and drop the build it replaces, unless
# something still uses that one.
tag_image() {
  local id="$1" image="$2" old
  old=$(docker image inspect -f '{{.Id}}' "${image}" 2>/dev/null) || true
  docker tag "${id}" "${image}"
  [ -z "${old}" ] || [ "${old}" = "${id}" ] || docker image rm "${old}" >/dev/null 2>&1 || true
  log "✔ ${image} built: $(image_size "${image}")"
}

# await_container NAME SECONDS PROBE...: run PROBE every half second until it succeeds, while container
# NAME keeps running; on timeout or exit print NAME's last log lines and fail.
await_container() {
  local name="$1" deadline=$((SECONDS + $2)) start=${SECONDS}
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$(docker inspect -f '{{.State.Running}}' "${name}" 2>/dev/null)" != true ] || [ "${SECONDS}" -ge "${deadline}" ]; then
      docker logs --tail 30 "${name}" >&2 || true
      log "    ${name} did not answer '$*' within $((SECONDS - start)) s (its log is above)"
      return 1
    fi
    sleep 0.5
  done
  log "    ${name} answered after $((SECONDS - start)) s"
}

# --- the local kind cluster (make cluster) ----------------------------------------------------------------
CLUSTER=users-info
NODE="${CLUSTER}-control-plane"

# normalized IMAGE: the name containerd gives IMAGE (docker.io/library/ for short names).
normalized() {
  case "$1" in
    */*) [[ "${1%%/*}" == *[.:]* || "${1%%/*}" == localhost ]] && echo "$1" || echo "docker.io/$1" ;;
    *) echo "docker.io/library/$1" ;;
  esac
}

# load_image IMAGE: put a locally built image into the node unless it holds that very image already
# (kind load compares with crictl, which this node image does not carry: compare the config digest).
load_image() {
  local want have
  want=$(docker image inspect -f '{{.Id}}' "$1")
  have=$(docker exec "${NODE}" sh -c 'd=$(ctr -n k8s.io images ls "name==$1" | awk "NR == 2 { print \$3 }")
    [ -z "$d" ] || ctr -n k8s.io content get "$d" | jq -r .config.digest' _ "$(normalized "$1")")
  [ "${want}" = "${have}" ] || kind load docker-image --name "${CLUSTER}" "$1" >/dev/null ||
    die "cannot load $1 into ${NODE}" "kind load docker-image --name ${CLUSTER} $1"
}

# kube-proxy (nftables mode) keeps Service IPs and NodePorts in the maps service-ips and service-nodeports of
# its table. On this machine's kernel a *full* sync (at kube-proxy's start, then hourly) that re-adds the
# elements a map already holds leaves that map empty (measured: restarts alternately emptied one map or the
# other; with the table deleted first, both came back complete every time). Empty maps refuse every Service
# IP (new pods resolve no names, reach no API server) or NodePort. Partial syncs are not affected.
# service_routing therefore checks both maps and the age of kube-proxy: when a map is broken, or its next
# hourly full sync could fall within a test class (kube-proxy older than 40 minutes: less than the 20 minutes
# left that the longest class, AlertingIT at ~15 min, needs), it deletes kube-proxy's tables and restarts it,
# so it builds them from scratch and the next full sync is an hour away. A renewal takes ~33 s (the maps
# must stay complete for 30 s), so it is not done earlier than needed.
service_routing_ok() {
  local maps
  maps=$(docker exec "${NODE}" sh -c 'nft list map ip kube-proxy service-ips; nft list map ip kube-proxy service-nodeports' 2>/dev/null)
  # The API server's and the cluster DNS's Service IPs always exist.
  grep -q '10\.96\.0\.1 \. tcp \. 443' <<<"${maps}" && grep -q '10\.96\.0\.10 \. udp \. 53' <<<"${maps}" || return 1
  # NodePort services present: the NodePort map must hold elements too.
  ! kubectl get services -A -o jsonpath='{.items[*].spec.type}' | grep -qw NodePort || grep -q 'tcp \. 3[0-9]* :' <<<"${maps}"
}
kube_proxy_age() {
  local started
  started=$(kubectl -n kube-system get pods -l k8s-app=kube-proxy -o jsonpath='{.items[0].status.startTime}')
  echo $(($(date +%s) - $(date -d "${started}" +%s)))
}
service_routing() {
  local age attempt
  age=$(kube_proxy_age)
  if service_routing_ok && ((age < 2400)); then
    return 0
  fi
  if service_routing_ok; then
    log "  kube-proxy started $((age / 60)) min ago: renewing it so its next full sync is an hour away"
  else
    log "  kube-proxy's Service or NodePort map is incomplete: rebuilding its tables"
  fi
  # A restart right after the node itself restarted can meet a second full sync within seconds (measured:
  # 15 s after start, while every pod's endpoints changed): the maps count as rebuilt only when they stay
  # complete for 30 s, and the restart is retried.
  for attempt in 1 2 3; do
    docker exec "${NODE}" sh -c 'nft delete table ip kube-proxy; nft delete table ip6 kube-proxy' 2>/dev/null || true
    kubectl -n kube-system delete pod -l k8s-app=kube-proxy --wait=true >/dev/null ||
      die "cannot restart kube-proxy" "kubectl -n kube-system get pods -l k8s-app=kube-proxy"
    if routing_stays_complete; then
      return 0
    fi
    log "  attempt ${attempt}: a map lost its elements again after kube-proxy's restart"
  done
  die "kube-proxy did not keep its Service rules complete after 3 restarts" \
    "kubectl -n kube-system logs -l k8s-app=kube-proxy; docker exec ${NODE} nft list table ip kube-proxy"
}
# routing_stays_complete: within 60 s the maps become complete, then stay so for 30 s.
routing_stays_complete() {
  local deadline=$((SECONDS + 60)) complete_since=""
  while ((SECONDS < deadline + 30)); do
    if service_routing_ok; then
      complete_since=${complete_since:-${SECONDS}}
      ((SECONDS - complete_since < 30)) || return 0
    else
      [ -z "${complete_since}" ] || return 1
      ((SECONDS < deadline)) || return 1
    fi
    sleep 2
  done
  return 1
}
