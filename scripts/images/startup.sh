#!/usr/bin/env bash
# Measures cold start to ready of the service image with and without its AOT cache: each run is a new
# container (read-only root, tmpfs /tmp, as in production) started with `docker run`, timed until
# /health/readiness (which includes the DynamoDB table) answers 200. Figures, not a test.
#   scripts/images/startup.sh    RUNS (5) runs of each image, alternating, after one untimed warm-up run;
#                                DynamoDB Local (from the service's test class path) on DDB_PORT (18000);
#                                CPUS=1 limits each container like a Kubernetes CPU limit (default: none)
# Needs the images from `scripts/mvn.sh -pl service verify` (${service.image} and ${service.image}-plain).
# Writes service/target/startup/startup.csv and prints the medians.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

RUNS="${RUNS:-5}"
DDB_PORT="${DDB_PORT:-18000}"
limits=()
[ -z "${CPUS:-}" ] || limits=(--cpus "${CPUS}")
OUT="${ROOT_DIR}/service/target/startup"
JDK=$("${ROOT_DIR}/scripts/jdk.sh")

IMAGE=$(image_of service.image)
PLAIN="${IMAGE}-plain"

"${ROOT_DIR}/scripts/docker-engine.sh"
apt_install curl
for image in "${IMAGE}" "${PLAIN}"; do
  docker image inspect "${image}" >/dev/null 2>&1 ||
    die "image ${image} is not in Docker Engine" "build it: scripts/mvn.sh -pl service verify"
done
[ -d "${ROOT_DIR}/service/target/native-libs" ] ||
  die "DynamoDB Local's native library is missing" "build first: scripts/mvn.sh -pl service verify"

mkdir -p "${OUT}"
WORK=$(mktemp -d)
ddb_pid=""
cleanup() {
  docker rm -f users-info-startup >/dev/null 2>&1 || true
  [ -z "${ddb_pid}" ] || kill "${ddb_pid}" 2>/dev/null || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

start_dynamodb() {
  "${ROOT_DIR}/scripts/mvn.sh" --batch-mode --no-transfer-progress -q -pl service dependency:build-classpath \
    -Dmdep.includeScope=test "-Dmdep.outputFile=${WORK}/classpath" >/dev/null
}
step "Class path of DynamoDB Local (service test scope)" start_dynamodb
! curl -s -o /dev/null "http://127.0.0.1:${DDB_PORT}" ||
  die "something already listens on port ${DDB_PORT}" "stop it, or choose another: DDB_PORT=18001 $0"
# Listens on every interface: containers reach it through Docker's host-gateway.
"${JDK}/bin/java" "-Dsqlite4java.library.path=${ROOT_DIR}/service/target/native-libs" \
  -cp "$(cat "${WORK}/classpath")" com.amazonaws.services.dynamodbv2.local.main.ServerRunner \
  -inMemory -disableTelemetry -port "${DDB_PORT}" >"${OUT}/dynamodb-local.log" 2>&1 &
ddb_pid=$!
until curl -s -o /dev/null "http://127.0.0.1:${DDB_PORT}"; do
  kill -0 "${ddb_pid}" 2>/dev/null || die "DynamoDB Local did not start" "read ${OUT}/dynamodb-local.log"
  sleep 0.2
done

# measure IMAGE: milliseconds from `docker run` to the first 200 from /health/readiness.
measure() {
  local start port deadline now
  start=$(date +%s%N)
  docker run -d --name users-info-startup --read-only --tmpfs /tmp -p 127.0.0.1::8080 "${limits[@]}" \
    --add-host host.docker.internal:host-gateway \
    -e "USERS_INFO_DYNAMODB_ENDPOINT=http://host.docker.internal:${DDB_PORT}" \
    -e USERS_INFO_DYNAMODB_CREATE_TABLE=true -e AWS_ACCESS_KEY_ID=local -e AWS_SECRET_ACCESS_KEY=local \
    "$1" >/dev/null
  port=$(docker port users-info-startup 8080/tcp | head -n 1)
  port="${port##*:}"
  deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null "http://127.0.0.1:${port}/health/readiness"; do
    [ "${SECONDS}" -lt "${deadline}" ] || {
      docker logs users-info-startup >&2
      die "$1 was not ready within 120 s" "read its log above"
    }
    sleep 0.02
  done
  now=$(date +%s%N)
  # Micronaut's own figure, from JVM start to the HTTP server listening.
  docker logs users-info-startup 2>&1 | sed -n 's/.*Startup completed in \([0-9]*\)ms.*/\1/p' | head -n 1 >"${WORK}/micronaut"
  docker rm -f users-info-startup >/dev/null
  echo $(((now - start) / 1000000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

log "▶ Warm-up run (untimed; creates the table)"
measure "${PLAIN}" >/dev/null
echo "variant,image,run,ready_ms,micronaut_startup_ms" >"${OUT}/startup.csv"
for run in $(seq 1 "${RUNS}"); do
  for variant in plain aot; do
    image="${IMAGE}"
    [ "${variant}" = aot ] || image="${PLAIN}"
    ms=$(measure "${image}")
    echo "${variant},${image},${run},${ms},$(cat "${WORK}/micronaut")" >>"${OUT}/startup.csv"
    log "  ${variant} run ${run}: ready after ${ms} ms (Micronaut: $(cat "${WORK}/micronaut") ms)"
  done
done
for variant in plain aot; do
  ready=$(awk -F, -v v="${variant}" '$1 == v { print $4 }' "${OUT}/startup.csv" | median)
  micronaut=$(awk -F, -v v="${variant}" '$1 == v { print $5 }' "${OUT}/startup.csv" | median)
  log "✔ ${variant}: median start to ready ${ready} ms (Micronaut startup ${micronaut} ms) over ${RUNS} runs, cpus ${CPUS:-unlimited}"
done
for image in "${PLAIN}" "${IMAGE}"; do
  log "  ${image}: $(docker image inspect -f '{{.Size}}' "${image}" | awk '{ printf "%.0f MB", $1 / 1e6 }') uncompressed"
done
log "  runs: ${OUT}/startup.csv ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
