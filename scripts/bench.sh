#!/usr/bin/env bash
# `make bench`: users-info against the Node.js hello world it replaces (Express 5, the peer) and a Go net/http
# hello world (the ceiling), in one run on this machine, under identical conditions (docs/benchmark.md).
# Figures, not a test: a table on stdout, and load-tests/target/bench/{report.md,results.csv,*.png}.
#
# Each server runs alone on core SERVER_CPU; the load generator runs on core LOAD_CPU (taskset). Closed
# model: wrk, CONNECTIONS connections, for saturation throughput. Open model: vegeta at fixed arrival rates,
# so latency is free of coordinated omission. Warm-up is never measured; each figure is REPS runs.
# Settings (environment):
#   BENCH_QUICK=1   a short run for development: 1 repetition of 5 s after a 5 s warm-up, 2 starts
#   DURATION (15s), WARMUP (20s), REPS (3), STARTS (5 starts per start-up figure), CONNECTIONS (32),
#   SERVER_CPU (0), LOAD_CPU (1), USERS (200 users read by GET /users/{id}),
#   MAX_OPEN_RATE (10000 requests/s: above it vegeta, on one core, queues requests itself)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  DURATION="${DURATION:-5s}" WARMUP="${WARMUP:-5s}" REPS="${REPS:-1}" STARTS="${STARTS:-2}"
fi
DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-20s}"
REPS="${REPS:-3}"
STARTS="${STARTS:-5}"
CONNECTIONS="${CONNECTIONS:-32}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
USERS="${USERS:-200}"
MAX_OPEN_RATE="${MAX_OPEN_RATE:-10000}"
# A run where the generator used more than this share of its core may have measured the generator: refused.
GENERATOR_LIMIT=0.90

BENCH_SRC="${ROOT_DIR}/load-tests/bench"
OUT="${ROOT_DIR}/load-tests/target/bench"
WORK="${OUT}/work"
LOGS="${OUT}/logs"
RAW="${OUT}/raw.csv"
SERVICE_DIR="${ROOT_DIR}/service"
PORT_SERVICE=18080 PORT_PEER=18081 PORT_CEILING=18082 PORT_DYNAMODB=18000

seconds() {
  case "$1" in
    *s) echo "${1%s}" ;;
    *m) echo $((${1%m} * 60)) ;;
    *) echo "$1" ;;
  esac
}
for setting in DURATION WARMUP; do
  [[ "${!setting}" =~ ^[0-9]+[sm]?$ ]] || die "${setting}=${!setting} is not a duration" "use seconds like 15s or minutes like 1m"
done
for setting in REPS STARTS CONNECTIONS SERVER_CPU LOAD_CPU USERS MAX_OPEN_RATE; do
  [[ "${!setting}" =~ ^[0-9]+$ ]] || die "${setting}=${!setting} is not a whole number" "e.g. ${setting}=3"
done
if [ "${REPS}" -lt 1 ] || [ "${STARTS}" -lt 1 ]; then
  die "REPS and STARTS must be at least 1" "e.g. REPS=3 STARTS=5"
fi
cores=$(nproc --all)
if [ "${SERVER_CPU}" = "${LOAD_CPU}" ] || [ "${SERVER_CPU}" -ge "${cores}" ] || [ "${LOAD_CPU}" -ge "${cores}" ]; then
  die "SERVER_CPU=${SERVER_CPU} and LOAD_CPU=${LOAD_CPU} must be two different cores of the ${cores} here" \
    "the benchmark needs 2 cores so that server and generator do not compete; the defaults are 0 and 1"
fi

# --- prerequisites ----------------------------------------------------------------------------------------
node_ok() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'
}
install_node() {
  node_ok || apt_install nodejs npm
  node_ok || die "Node.js >= 18 with npm is needed for the Express 5 peer (have $(node --version 2>/dev/null || echo none))" \
    "apt-get install nodejs npm (Debian 12 has Node.js 18)"
}
step "Install wrk, jq, curl, taskset (Debian)" apt_install wrk jq curl util-linux
step "Node.js and npm for the peer" install_node
need_cmd go "install Go 1.21 or newer (https://go.dev/dl): it builds the ceiling and vegeta"
"${ROOT_DIR}/scripts/tools.sh" vegeta
VENV=$("${ROOT_DIR}/scripts/venv.sh" bench)
JAVA_HOME=$("${ROOT_DIR}/scripts/jdk.sh")
JAVA="${JAVA_HOME}/bin/java"

mkdir -p "${WORK}" "${LOGS}"

# The service as its image runs it: the jar on a class path of jars (an AOT cache needs one), the image's
# JVM flags (its heap share read from service/pom.xml), and -XX:MaxRAM=512m so the JVM sizes itself for the
# ECS task's 512 MiB as it does under that container limit. The jar is copied only when it changed, so its
# timestamp, which an AOT cache checks, stays the same between runs.
build_service() {
  heartbeat "building the service" "${ROOT_DIR}/scripts/mvn.sh" -B -q -pl service package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/bench-runtime.classpath -DincludeScope=runtime \
    help:evaluate -Dexpression=jvm.max-ram-percentage -Doutput=target/bench-max-ram-percentage
  mkdir -p "${WORK}/app"
  cmp -s "${SERVICE_DIR}/target/users-info-"*.jar "${WORK}/app/users-info.jar" ||
    cp "${SERVICE_DIR}/target/users-info-"*.jar "${WORK}/app/users-info.jar"
  # DynamoDB Local (AWS's emulator, from the service's test dependencies) runs in a JVM of its own.
  local key
  key=$(recipe_hash "${SERVICE_DIR}/pom.xml" "${ROOT_DIR}/pom.xml")
  if [ "$(cat "${WORK}/dynamodb.key" 2>/dev/null)" != "${key}" ]; then
    "${ROOT_DIR}/scripts/mvn.sh" -B -q -pl service dependency:build-classpath \
      -Dmdep.outputFile="${WORK}/dynamodb.classpath" -DincludeScope=test
    echo "${key}" >"${WORK}/dynamodb.key"
  fi
}
build_peer() {
  local key
  key=$(recipe_hash "${BENCH_SRC}/peer/package-lock.json" "${BENCH_SRC}/peer/package.json" <(node --version))
  mkdir -p "${WORK}/peer"
  cp "${BENCH_SRC}/peer/"{package.json,package-lock.json,server.js} "${WORK}/peer/"
  [ "$(cat "${WORK}/peer/.installed" 2>/dev/null)" = "${key}" ] && return 0
  # Exactly the lockfile's packages, without development ones, as a production deployment installs them.
  (cd "${WORK}/peer" && npm ci --omit=dev --no-audit --no-fund --loglevel=error) ||
    die "npm ci of the peer failed" "check that npm reaches its registry ('npm ping'), then rerun"
  echo "${key}" >"${WORK}/peer/.installed"
}
build_ceiling() {
  (cd "${BENCH_SRC}/ceiling" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "${WORK}/ceiling" .)
}
step "Build the service jar (mvn package, no tests)" build_service
MAX_RAM_PERCENTAGE=$(<"${SERVICE_DIR}/target/bench-max-ram-percentage")
step "Install the peer: Express from load-tests/bench/peer/package-lock.json (npm ci)" build_peer
step "Build the ceiling: load-tests/bench/ceiling (Go net/http, static)" build_ceiling

# --- processes --------------------------------------------------------------------------------------------
# From here on this script and everything it starts without a core of its own (curl, wrk, vegeta) runs on
# LOAD_CPU; each server is started on SERVER_CPU.
taskset -pc "${LOAD_CPU}" $$ >/dev/null
TICK=$(getconf CLK_TCK)
SERVER_PID="" DYNAMODB_PID=""
stop_pid() {
  local pid="$1" waited=0
  [ -n "${pid}" ] && kill -0 "${pid}" 2>/dev/null || return 0
  kill -TERM "${pid}" 2>/dev/null || true
  while kill -0 "${pid}" 2>/dev/null && [ "${waited}" -lt 600 ]; do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}
cleanup() {
  stop_pid "${SERVER_PID}"
  stop_pid "${DYNAMODB_PID}"
}
trap cleanup EXIT

# cpu_ticks PID: CPU time (user + system, all threads) the process used so far, in clock ticks.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
# rss_mib PID FIELD: VmRSS (now) or VmHWM (peak) of the process, in MiB.
rss_mib() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# record PHASE TARGET METRIC REP VALUE: one measurement into raw.csv.
record() { printf '%s,%s,%s,%s,%s\n' "$@" >>"${RAW}"; }

service_cmd() {
  local aot="$1"
  local cmd=("${JAVA}" -XX:MaxRAM=512m "-XX:MaxRAMPercentage=${MAX_RAM_PERCENTAGE}" -XX:+ExitOnOutOfMemoryError)
  case "${aot}" in
    train) cmd+=("-XX:AOTCacheOutput=${WORK}/aot/users-info.aot") ;;
    # AOTMode=on: refuse to start rather than silently run without the cache.
    on) cmd+=("-XX:AOTCache=${WORK}/aot/users-info.aot" -XX:AOTMode=on) ;;
  esac
  cmd+=(-cp "${WORK}/app/users-info.jar:$(cat "${SERVICE_DIR}/target/bench-runtime.classpath")" com.example.usersinfo.Application)
  printf '%s\0' "${cmd[@]}"
}

# start TARGET [AOT]: start a server on SERVER_CPU, set SERVER_PID and URL, and remember when (START_MS).
start() {
  local target="$1" aot="${2:-off}" log="${LOGS}/$1${2:+-$2}.log"
  START_MS=$(now_ms)
  case "${target}" in
    service)
      URL="http://127.0.0.1:${PORT_SERVICE}"
      mapfile -d '' cmd < <(service_cmd "${aot}")
      MICRONAUT_SERVER_PORT="${PORT_SERVICE}" USERS_INFO_DYNAMODB_ENDPOINT="http://127.0.0.1:${PORT_DYNAMODB}" \
        USERS_INFO_DYNAMODB_CREATE_TABLE=true AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \
        taskset -c "${SERVER_CPU}" "${cmd[@]}" >"${log}" 2>&1 &
      ;;
    peer)
      URL="http://127.0.0.1:${PORT_PEER}"
      NODE_ENV=production PORT="${PORT_PEER}" taskset -c "${SERVER_CPU}" node "${WORK}/peer/server.js" >"${log}" 2>&1 &
      ;;
    ceiling)
      URL="http://127.0.0.1:${PORT_CEILING}"
      PORT="${PORT_CEILING}" taskset -c "${SERVER_CPU}" "${WORK}/ceiling" >"${log}" 2>&1 &
      ;;
  esac
  SERVER_PID=$!
  LOG="${log}"
}

# await_ready: poll URL/health/readiness without pause until the first 200; sets READY_MS (since START_MS).
await_ready() {
  local deadline=$((SECONDS + 120))
  until curl -fs -o /dev/null --max-time 2 "${URL}/health/readiness"; do
    kill -0 "${SERVER_PID}" 2>/dev/null || { tail -n 20 "${LOG}" >&2; die "the server exited before it was ready" "read ${LOG}"; }
    [ "${SECONDS}" -lt "${deadline}" ] || { tail -n 20 "${LOG}" >&2; die "the server was not ready within 120 s" "read ${LOG}"; }
  done
  READY_MS=$(($(now_ms) - START_MS))
}

stop() {
  stop_pid "${SERVER_PID}"
  SERVER_PID=""
}

port_free() {
  ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$1/" ||
    die "something already answers on 127.0.0.1:$1" "stop it (ss -ltnp 'sport = :$1'), then rerun"
}
for port in "${PORT_SERVICE}" "${PORT_PEER}" "${PORT_CEILING}" "${PORT_DYNAMODB}"; do
  port_free "${port}"
done

start_dynamodb() {
  # On the generator's core: the service's core stays its own (docs/benchmark.md, "Users").
  taskset -c "${LOAD_CPU}" "${JAVA}" -XX:+ExitOnOutOfMemoryError -Dsqlite4java.library.path="${SERVICE_DIR}/target/native-libs" \
    -cp "$(cat "${WORK}/dynamodb.classpath")" com.amazonaws.services.dynamodbv2.local.main.ServerRunner \
    -inMemory -disableTelemetry -port "${PORT_DYNAMODB}" >"${LOGS}/dynamodb-local.log" 2>&1 &
  DYNAMODB_PID=$!
  local deadline=$((SECONDS + 60))
  # Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it listens.
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT_DYNAMODB}/")" != 000 ]; do
    if ! kill -0 "${DYNAMODB_PID}" 2>/dev/null || [ "${SECONDS}" -ge "${deadline}" ]; then
      die "DynamoDB Local did not start" "read ${LOGS}/dynamodb-local.log"
    fi
    sleep 0.2
  done
}

# --- load -------------------------------------------------------------------------------------------------
# generator_share SECONDS TIMES_OUTPUT: the generator's CPU (the children's line of bash's `times`) as a
# share of one core over SECONDS.
generator_share() {
  awk -v secs="$1" 'END {
    n = split($1 " " $2, t, " ")
    total = 0
    for (i = 1; i <= n; i++) { split(t[i], p, "m"); sub("s", "", p[2]); total += p[1] * 60 + p[2] }
    printf "%.3f", total / secs
  }' <<<"$2"
}

# closed PHASE TARGET REP PATH [LUA]: wrk for DURATION; records requests/s, p99 (closed model), the server's
# and the generator's CPU, and errors. REP "warmup" runs for WARMUP and records nothing.
closed() {
  local phase="$1" target="$2" rep="$3" path="$4" lua="${5:-}" connections="${CONNECTIONS}" secs out before after rps p99 gen errors dyn_before=0 dyn_after=0
  secs=$(seconds "${DURATION}")
  [ "${rep}" != warmup ] || secs=$(seconds "${WARMUP}")
  # A verify takes tens of milliseconds of CPU: a few connections keep one core busy, 32 would queue past
  # wrk's 2 s timeout.
  [ "${phase}" != verify ] || connections=4
  local args=(-t 1 -c "${connections}" -d "${secs}s" --latency)
  [ -z "${lua}" ] || args+=(-s "${lua}")
  before=$(cpu_ticks "${SERVER_PID}")
  [ -z "${DYNAMODB_PID}" ] || dyn_before=$(cpu_ticks "${DYNAMODB_PID}")
  out=$(
    wrk "${args[@]}" "${URL}${path}"
    times
  )
  after=$(cpu_ticks "${SERVER_PID}")
  [ -z "${DYNAMODB_PID}" ] || dyn_after=$(cpu_ticks "${DYNAMODB_PID}")
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"${out}")
  errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' <<<"${out}")
  [ -n "${rps}" ] || { log "${out}"; die "wrk gave no result for ${URL}${path}" "read the wrk output above and ${LOG}"; }
  [ "${rep}" != warmup ] || return 0
  p99=$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; printf "%.2f", v }' <<<"${out}")
  gen=$(generator_share "${secs}" "$(tail -n 1 <<<"${out}")")
  local requests=$((rps * secs))
  record "${phase}" "${target}" rps "${rep}" "${rps}"
  record "${phase}" "${target}" p99_closed_ms "${rep}" "${p99}"
  record "${phase}" "${target}" errors "${rep}" "${errors}"
  record "${phase}" "${target}" generator_cpu "${rep}" "${gen}"
  record "${phase}" "${target}" server_cpu "${rep}" "$(awk -v t=$((after - before)) -v hz="${TICK}" -v s="${secs}" 'BEGIN { printf "%.3f", t / hz / s }')"
  record "${phase}" "${target}" cpu_us_per_request "${rep}" "$(awk -v t=$((after - before)) -v hz="${TICK}" -v n="${requests}" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')"
  [ -z "${DYNAMODB_PID}" ] || [ "${phase}" = root ] ||
    record "${phase}" "${target}" dynamodb_cpu_us_per_request "${rep}" "$(awk -v t=$((dyn_after - dyn_before)) -v hz="${TICK}" -v n="${requests}" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')"
  log "    ${phase} ${target} closed #${rep}: ${rps} requests/s, server CPU $(awk -v t=$((after - before)) -v hz="${TICK}" -v s="${secs}" 'BEGIN { printf "%.0f %%", t / hz / s * 100 }'), generator CPU $(awk -v g="${gen}" 'BEGIN { printf "%.0f %%", g * 100 }'), errors ${errors}"
}

# open PHASE TARGET REP RATE TARGETS_FILE [FORMAT]: vegeta at RATE requests/s for DURATION; records p50, p99,
# the achieved rate, errors and the generator's CPU. Free of coordinated omission: vegeta starts a request at
# its scheduled time on a worker of its own (workers are not bounded) and the clock runs from there, so time
# spent waiting for one of the CONNECTIONS connections counts as latency, as it would for a real client.
open() {
  local phase="$1" target="$2" rep="$3" rate="$4" targets="$5" format="${6:-http}" secs out report gen p50 p99 achieved errors
  secs=$(seconds "${DURATION}")
  out=$(
    vegeta attack -format="${format}" -targets="${targets}" -rate="${rate}/1s" -duration="${secs}s" \
      -keepalive=true -workers="${CONNECTIONS}" -max-connections="${CONNECTIONS}" -timeout=10s -output="${WORK}/vegeta.bin"
    times
  )
  report=$(vegeta report -type=json "${WORK}/vegeta.bin")
  gen=$(generator_share "${secs}" "$(tail -n 1 <<<"${out}")")
  p50=$(jq -r '.latencies["50th"] / 1e6' <<<"${report}")
  p99=$(jq -r '.latencies["99th"] / 1e6' <<<"${report}")
  achieved=$(jq -r '.rate | floor' <<<"${report}")
  errors=$(jq -r '.requests - ([.status_codes | to_entries[] | select(.key | test("^2")) | .value] | add // 0)' <<<"${report}")
  record "${phase}" "${target}" open_rate "${rep}" "${rate}"
  record "${phase}" "${target}" open_achieved "${rep}" "${achieved}"
  record "${phase}" "${target}" p50_ms "${rep}" "${p50}"
  record "${phase}" "${target}" p99_ms "${rep}" "${p99}"
  record "${phase}" "${target}" open_errors "${rep}" "${errors}"
  record "${phase}" "${target}" generator_cpu "${rep}" "${gen}"
  log "    ${phase} ${target} open at ${rate}/s #${rep}: achieved ${achieved}/s, p50 $(printf '%.2f' "${p50}") ms, p99 $(printf '%.2f' "${p99}") ms, generator CPU $(awk -v g="${gen}" 'BEGIN { printf "%.0f %%", g * 100 }'), errors ${errors}"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# saturation PHASE TARGET: the median requests/s of the closed runs recorded so far.
saturation() { awk -F, -v p="$1" -v t="$2" '$1 == p && $2 == t && $3 == "rps" { print $5 }' "${RAW}" | median; }

# --- AOT cache (JEP 483/514/515) --------------------------------------------------------------------------
# Valid only for this JVM, its heap and this class path (paths, sizes, timestamps): retrained when one changes.
aot_key() {
  recipe_hash <("${JAVA}" -version 2>&1) "${SERVICE_DIR}/target/bench-runtime.classpath" \
    "${SERVICE_DIR}/target/bench-max-ram-percentage" \
    <(stat -c '%n %s %Y' "${WORK}/app/users-info.jar")
}
train_aot() {
  mkdir -p "${WORK}/aot"
  rm -f "${WORK}/aot/users-info.aot"
  start service train
  await_ready
  # The request mix production sees, warm enough for the JIT's profiles (JEP 515) to cover every path.
  local id round
  for round in $(seq 1 20); do
    id=$(curl -fsS "${URL}/users" -H 'Content-Type: application/json' \
      -d "{\"email\":\"aot-${round}-$$@example.com\",\"name\":\"Training\",\"password\":\"correct horse battery\"}" | jq -r .id)
    curl -fsS -o /dev/null "${URL}/users/${id}"
    curl -fsS -o /dev/null "${URL}/users/${id}/password/verify" -H 'Content-Type: application/json' -d '{"password":"correct horse battery"}'
    curl -s -o /dev/null "${URL}/users/${id}/password/verify" -H 'Content-Type: application/json' -d '{"password":"wrong"}'
    curl -s -o /dev/null "${URL}/users?limit=10"
    curl -s -o /dev/null "${URL}/health/liveness"
  done
  wrk -t 1 -c 8 -d 5s "${URL}/" >/dev/null
  wrk -t 1 -c 8 -d 5s "${URL}/users/${id}" >/dev/null
  # SIGTERM, as an orchestrator stops the service; the JVM writes the cache on its way out.
  stop
  [ -s "${WORK}/aot/users-info.aot" ] || { tail -n 20 "${LOG}" >&2; die "the training run wrote no AOT cache" "read ${LOG}"; }
  aot_key >"${WORK}/aot/key"
  log "    AOT cache: $(du -m "${WORK}/aot/users-info.aot" | cut -f1) MB"
}

# --- the run ----------------------------------------------------------------------------------------------
rm -f "${RAW}" "${OUT}"/*.png "${OUT}/report.md" "${OUT}/results.csv"
meta() {
  cat <<EOF
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
cores=${cores}
memory_gib=$(awk '/^MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
kernel=$(uname -r)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
jdk=$("${JAVA}" -version 2>&1 | sed -n '2p')
node=$(node --version)
express=$(node -p "require('${WORK}/peer/node_modules/express/package.json').version")
go=$(go version | cut -d' ' -f3)
wrk=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)
vegeta=$(vegeta -version | sed -n 's/^Version: //p')
duration=${DURATION}
warmup=${WARMUP}
reps=${REPS}
starts=${STARTS}
connections=${CONNECTIONS}
server_cpu=${SERVER_CPU}
load_cpu=${LOAD_CPU}
service_max_ram_percentage=${MAX_RAM_PERCENTAGE}
generator_limit=${GENERATOR_LIMIT}
EOF
}
meta >"${OUT}/meta.env"
log "▶ Machine: ${cores} cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(sed -n 's/^jdk=//p' "${OUT}/meta.env"); Node.js $(node --version); servers on core ${SERVER_CPU}, generators on core ${LOAD_CPU}"
log "  ${DURATION} per run after a ${WARMUP} warm-up, ${REPS} repetition(s), ${STARTS} start(s) per start-up figure"
bench_start=${SECONDS}

step_start() { log "▶ $1"; }

step_start "DynamoDB Local (own JVM, core ${LOAD_CPU})"
start_dynamodb

if [ "$(cat "${WORK}/aot/key" 2>/dev/null)" != "$(aot_key)" ] || [ ! -s "${WORK}/aot/users-info.aot" ]; then
  step_start "AOT cache: training run of the service (-XX:AOTCacheOutput)"
  train_aot
fi

step_start "Start-up: process start to first 200 from /health/readiness; resident memory when idle"
for target in service:off service:on peer ceiling; do
  name="${target%%:*}"
  aot="${target#*:}"
  [ "${aot}" != "${target}" ] || aot=""
  label="${name}${aot:+-${aot/off/plain}}"
  label="${label/service-on/service-aot}"
  for rep in $(seq 1 "${STARTS}"); do
    start "${name}" "${aot}"
    await_ready
    record startup "${label}" ready_ms "${rep}" "${READY_MS}"
    # Idle: ready, a few probes answered, nothing else to do.
    sleep 3
    record memory "${label}" rss_idle_mib "${rep}" "$(rss_mib "${SERVER_PID}" VmRSS)"
    log "    ${label} #${rep}: ready after ${READY_MS} ms, idle RSS $(rss_mib "${SERVER_PID}" VmRSS) MiB"
    stop
  done
done

step_start "GET /: saturation (wrk, closed model), then fixed arrival rates (vegeta, open model)"
# Latency is compared at equal arrival rates: half the peer's saturation (all three take it), then half the
# service's (the peer cannot). The peer runs first and the service second, so both rates are known in time.
# A rate above MAX_OPEN_RATE is lowered to it, and the report says so. vegeta on one core against the Go
# ceiling, measured here: 10 000/s took 43 % of the core, 20 000/s 77 % with a p99 of 69 ms that is the
# generator's own queueing, 25 000/s 97 % with a p50 of 134 ms; at 35 000/s it sent 33 400/s and every
# latency was seconds.
peer_rate="" service_rate=""
for target in peer service ceiling; do
  start "${target}" "$([ "${target}" = service ] && echo on)"
  await_ready
  printf 'GET %s/\n' "${URL}" >"${WORK}/root.targets"
  closed root "${target}" warmup /
  for rep in $(seq 1 "${REPS}"); do closed root "${target}" "${rep}" /; done
  case "${target}" in
    peer) peer_rate=$(($(saturation root peer) / 2)) ;;
    service) service_rate=$(($(saturation root service) / 2)); service_rate=$((service_rate > MAX_OPEN_RATE ? MAX_OPEN_RATE : service_rate)) ;;
  esac
  for rep in $(seq 1 "${REPS}"); do open root-peer-rate "${target}" "${rep}" "${peer_rate}" "${WORK}/root.targets"; done
  if [ "${target}" != peer ]; then
    for rep in $(seq 1 "${REPS}"); do open root-service-rate "${target}" "${rep}" "${service_rate}" "${WORK}/root.targets"; done
  fi
  record memory "${target}" rss_load_mib 1 "$(rss_mib "${SERVER_PID}" VmHWM)"
  stop
done

step_start "Users: GET /users/{id}, POST /users and password verify against DynamoDB Local"
start service on
await_ready
: >"${WORK}/ids"
for n in $(seq 1 "${USERS}"); do
  curl -fsS "${URL}/users" -H 'Content-Type: application/json' \
    -d "{\"email\":\"read-${n}-$$@example.com\",\"name\":\"Reader ${n}\"}" | jq -r .id >>"${WORK}/ids"
done
verify_id=$(curl -fsS "${URL}/users" -H 'Content-Type: application/json' \
  -d "{\"email\":\"verify-$$@example.com\",\"name\":\"Verifier\",\"password\":\"correct horse battery\"}" | jq -r .id)
# wrk scripts: random reads over the users; creates with an address no other request uses.
{
  echo 'local ids = {'
  sed 's/.*/"&",/' "${WORK}/ids"
  echo '}'
  echo 'request = function() return wrk.format("GET", "/users/" .. ids[math.random(#ids)]) end'
} >"${WORK}/get.lua"
cat >"${WORK}/post.lua" <<EOF
local n = 0
local run = tostring(os.time())
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/users", nil, '{"email":"wrk-' .. run .. '-' .. n .. '@example.com","name":"Bench"}')
end
EOF
cat >"${WORK}/verify.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"password":"correct horse battery"}'
EOF
sed "s|.*|GET ${URL}/users/&|" "${WORK}/ids" >"${WORK}/get.targets"
# posts_targets COUNT: vegeta targets (JSON lines), each creating a user with an address of its own.
posts_targets() {
  jq -nc --arg url "${URL}/users" --arg run "$(date +%s%N)" --argjson count "$1" \
    'range($count) | {method: "POST", url: $url, header: {"Content-Type": ["application/json"]},
      body: ({email: "vegeta-\($run)-\(.)@example.com", name: "Bench"} | tojson | @base64)}'
}
closed users-get service warmup "" "${WORK}/get.lua"
closed users-post service warmup "" "${WORK}/post.lua"
for rep in $(seq 1 "${REPS}"); do closed users-get service "${rep}" "" "${WORK}/get.lua"; done
half=$(($(saturation users-get service) / 2))
for rep in $(seq 1 "${REPS}"); do open users-get-half service "${rep}" "${half}" "${WORK}/get.targets"; done
for rep in $(seq 1 "${REPS}"); do closed users-post service "${rep}" "" "${WORK}/post.lua"; done
half=$(($(saturation users-post service) / 2))
for rep in $(seq 1 "${REPS}"); do
  posts_targets $((half * $(seconds "${DURATION}") + 100)) >"${WORK}/post.targets"
  open users-post-half service "${rep}" "${half}" "${WORK}/post.targets" json
done
closed verify service warmup "/users/${verify_id}/password/verify" "${WORK}/verify.lua"
for rep in $(seq 1 "${REPS}"); do closed verify service "${rep}" "/users/${verify_id}/password/verify" "${WORK}/verify.lua"; done
record memory service-users rss_load_mib 1 "$(rss_mib "${SERVER_PID}" VmHWM)"
stop

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"${OUT}/meta.env"
echo "bench_seconds=$((SECONDS - bench_start))" >>"${OUT}/meta.env"
log "✔ Measured in $((SECONDS - bench_start)) s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
"${VENV}/bin/python" "${BENCH_SRC}/report.py" "${OUT}"
