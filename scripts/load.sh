#!/usr/bin/env bash
# Throughput and latency of GET / and GET /users/{id}, measured with wrk (Debian) — figures, not a test.
#   scripts/load.sh                 starts `make run` (service + DynamoDB Local in one JVM), measures, stops it
#   URL=http://host:port scripts/load.sh   measures a service that is already running
# Settings: DURATION (default 20s per run, after a 10s warm-up), CONNECTIONS (32), THREADS (1).
# On this 2-core machine the server runs on core 0 and wrk on core 1 (taskset), so they do not compete.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
URL="${URL:-}"
LOG="${LOCAL_DIR}/load-service.log"

step "Install wrk, jq, curl (Debian)" apt_install wrk jq curl util-linux
cores=$(nproc)
[ "${cores}" -ge 2 ] || die "need at least 2 cores to keep wrk off the server's core (have ${cores})" \
  "run on a bigger machine, or point URL at a service on another host"

server_pid=""
stop_server() {
  [ -z "${server_pid}" ] || kill -- "-${server_pid}" 2>/dev/null || true
}
trap stop_server EXIT

if [ -z "${URL}" ]; then
  URL=http://127.0.0.1:8080
  ! curl -fsS -o /dev/null "${URL}/" 2>/dev/null || die "something already answers on ${URL}" \
    "stop it, or measure it with URL=${URL} $0"
  log "▶ Starting the service (make run) on core 0; log: ${LOG}"
  setsid taskset -c 0 "${ROOT_DIR}/scripts/run.sh" >"${LOG}" 2>&1 &
  server_pid=$!
  wait_ready() {
    local deadline=$((SECONDS + 300))
    until curl -fsS -o /dev/null "${URL}/health/readiness" 2>/dev/null; do
      kill -0 "${server_pid}" 2>/dev/null || { tail -n 20 "${LOG}" >&2; die "the service exited" "read ${LOG}"; }
      [ "${SECONDS}" -lt "${deadline}" ] || die "the service was not ready within 300 s" "read ${LOG}"
      sleep 1
    done
  }
  step "Wait for readiness" wait_ready
fi

id=$(curl -fsS "${URL}/users" -H 'Content-Type: application/json' \
  -d "{\"email\":\"load-$(date +%s%N)@example.com\",\"name\":\"Load Test\"}" | jq -r .id) ||
  die "could not create the user to read" "check ${URL}/health/readiness and ${LOG}"

# measure NAME PATH: warm-up, then one measured run; prints "name|requests/s|p50|p99|errors".
measure() {
  local name="$1" path="$2" out rps p50 p99 errors
  taskset -c 1 wrk -t "${THREADS}" -c "${CONNECTIONS}" -d 10s "${URL}${path}" >/dev/null
  out=$(taskset -c 1 wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency "${URL}${path}")
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"${out}")
  p50=$(awk '$1 == "50%" { print $2 }' <<<"${out}")
  p99=$(awk '$1 == "99%" { print $2 }' <<<"${out}")
  errors=$(awk '/Non-2xx|Socket errors/ { sub(/^ +/, ""); printf "%s; ", $0 }' <<<"${out}")
  printf '%s|%s|%s|%s|%s\n' "${name}" "${rps}" "${p50}" "${p99}" "${errors:-none}"
}

results=$(
  measure "GET /" "/"
  measure "GET /users/{id}" "/users/${id}"
)
printf '\nwrk: %s connections, %s thread(s), %s per run after 10 s warm-up; %s cores; target %s\n' \
  "${CONNECTIONS}" "${THREADS}" "${DURATION}" "${cores}" "${URL}"
{
  echo "endpoint|requests/s|p50|p99|errors"
  echo "${results}"
} | column -t -s '|'
