#!/usr/bin/env bash
# Builds kube-state-metrics for the local cluster: our own exporter (scripts/images/kube-state-metrics/, Go
# with client-go and client_golang) of the kube-state-metrics v2.20 series the alert rules and the dashboard
# use, because neither the real module (the Go proxy answers 403) nor its image can be fetched here. Same
# contract as the upstream image: static binary /kube-state-metrics as the entrypoint of an otherwise empty
# image, user 65534, ports 8080 (state) and 8081 (telemetry). Rebuilt only when its sources change;
# smoke-tested before it is tagged. docs/local-environment.md, "kube-state-metrics".
#   scripts/images/kube-state-metrics.sh IMAGE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
SRC="${ROOT_DIR}/scripts/images/kube-state-metrics"
USER_ID=65534

need_cmd go "install Go 1.25 or newer (https://go.dev/dl): kube-state-metrics is built from scripts/images/kube-state-metrics"
need_cmd curl "apt-get install curl"
"${ROOT_DIR}/scripts/docker-engine.sh"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${SRC}/go.mod" "${SRC}/go.sum" "${SRC}"/*.go <(go env GOVERSION))
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/kube-state-metrics.XXXXXX")
SMOKE="users-info-kube-state-metrics-smoke-$$"
cleanup() {
  docker rm -f "${SMOKE}" >/dev/null 2>&1 || true
  rm -rf "${WORK}"
}
trap cleanup EXIT
ROOTFS="${WORK}/rootfs"

build() {
  (cd "${SRC}" && CGO_ENABLED=0 heartbeat "building kube-state-metrics" \
    go build -trimpath -ldflags '-s -w' -o "${ROOTFS}/kube-state-metrics" .) ||
    die "building scripts/images/kube-state-metrics failed" "read the go output above; 'go env GOPROXY' must reach the Go module proxy"
}

import_image() {
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change 'ENTRYPOINT ["/kube-state-metrics"]' \
    --change "USER ${USER_ID}:${USER_ID}" \
    --change 'EXPOSE 8080 8081' \
    --change "LABEL users-info.recipe=${recipe} org.opencontainers.image.title=users-info-kube-state-metrics org.opencontainers.image.description=kube-state-metrics_v2.20.0_subset:_HPA_and_pod_series" \
    - >"${WORK}/id"
}

# What the image must do without a cluster (`make images` runs before `make cluster`, whose node image it
# builds); the series themselves are checked against the real API by the Go tests (client-go's fake
# clientset) and by KubeStateMetricsIT (the chart on the kind cluster). Here: the version, a clear refusal of
# a resource it does not implement, and, as the chart runs it (non-root, read-only root, no capabilities),
# /livez and /healthz answering while /readyz stays 503 because the API server it is given does not answer.
smoke_test() {
  local id out state telemetry
  id=$(cat "${WORK}/id")
  out=$(docker run --rm --read-only "${id}" --version 2>&1) ||
    die "kube-state-metrics does not start in the image: ${out}" "docker run --rm ${id} --version"
  grep -q 'v2.20.0-subset' <<<"${out}" || die "the image's --version says '${out}'" "check compatibleVersion in ${SRC#"${ROOT_DIR}/"}/main.go"

  out=$(docker run --rm --read-only "${id}" --resources=pods,deployments 2>&1) &&
    die "the image accepted --resources=deployments, which it does not implement" "check parseResources in ${SRC#"${ROOT_DIR}/"}/options.go"
  grep -q 'supports only horizontalpodautoscalers, pods' <<<"${out}" ||
    die "an unsupported resource is refused without naming the supported ones: ${out}" "check parseResources in ${SRC#"${ROOT_DIR}/"}/options.go"

  # Port 1 on the container's own loopback: nothing listens there.
  printf '%s\n' 'apiVersion: v1' 'kind: Config' 'current-context: none' \
    'clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]' \
    'users: [{name: none, user: {}}]' 'contexts: [{name: none, context: {cluster: none, user: none}}]' \
    >"${WORK}/kubeconfig"
  chmod 0644 "${WORK}/kubeconfig"
  docker run -d --name "${SMOKE}" --read-only --cap-drop ALL --security-opt no-new-privileges \
    -v "${WORK}/kubeconfig:/etc/kube-state-metrics/kubeconfig:ro" -p 127.0.0.1::8080 -p 127.0.0.1::8081 \
    "${id}" --port=8080 --resources=horizontalpodautoscalers,pods --kubeconfig=/etc/kube-state-metrics/kubeconfig >/dev/null
  state=$(docker port "${SMOKE}" 8080/tcp | head -n 1)
  telemetry=$(docker port "${SMOKE}" 8081/tcp | head -n 1)
  await_container "${SMOKE}" 15 curl -sf "http://${state}/livez"
  curl -sf "http://${state}/healthz" >/dev/null || die "/healthz does not answer 200" "docker logs ${SMOKE}"
  out=$(curl -sf "http://${telemetry}/metrics") || die "the telemetry port does not serve /metrics" "docker logs ${SMOKE}"
  grep -q '^go_goroutines ' <<<"${out}" ||
    die "the telemetry port serves no process metrics" "curl http://${telemetry}/metrics"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://${telemetry}/readyz")" = 503 ] ||
    die "/readyz is not 503 although the API server cannot be reached" "check exporter.readyz in ${SRC#"${ROOT_DIR}/"}/server.go"
  await_container "${SMOKE}" 10 logs_say 'the API server does not answer yet' ||
    die "the log does not say that the API server does not answer" "docker logs ${SMOKE}"
  [ "$(docker inspect -f '{{.State.Running}}' "${SMOKE}")" = true ] ||
    die "kube-state-metrics exited instead of retrying the API server: $(docker logs "${SMOKE}" 2>&1)" "docker logs ${SMOKE}"
}

logs_say() {
  grep -q "$1" <<<"$(docker logs "${SMOKE}" 2>&1)"
}

step "Build kube-state-metrics from ${SRC#"${ROOT_DIR}/"} ($(go env GOVERSION), static)" build
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test kube-state-metrics: version, refused resource, probes while the API is unreachable" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
