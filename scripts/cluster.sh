#!/usr/bin/env bash
# `make cluster`: the local kind cluster "users-info" (config/kind/cluster.yaml) with metrics-server, ready
# when this returns: node Ready, CoreDNS running, the metrics API answering. A cluster that is already up
# and healthy is reused (seconds). Its kubeconfig is .local/kubeconfig (this checkout's; ~/.kube/config is
# left alone): `export KUBECONFIG=$PWD/.local/kubeconfig`.
#   scripts/cluster.sh                 create or reuse the cluster
#   scripts/cluster.sh --down          delete it (make cluster-down)
#   scripts/cluster.sh --service-routing
#                                      only check kube-proxy's Service maps and rebuild them when needed
#                                      (service_routing in lib.sh; the cluster tests run it first)
#   scripts/cluster.sh --print-config [--no-port-mappings]
#                                      the kind configuration used on this host (cgroup v1 patch included)
# Besides metrics-server it installs the monitoring add-on (Prometheus, Alertmanager, kube-state-metrics;
# infra-eks/addons/prometheus, docs/monitoring.md) on 127.0.0.1:30090 and 127.0.0.1:30093.
# Images (node, metrics-server, monitoring) come from the images configuration: .local/images.properties
# (written by `make images`) over config/images.defaults.properties.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../config/kind/components.versions
source "${ROOT_DIR}/config/kind/components.versions"
# shellcheck source=../config/charts.versions
source "${ROOT_DIR}/config/charts.versions"

CONFIG="${ROOT_DIR}/config/kind/cluster.yaml"
CGROUP_V1_PATCH="${ROOT_DIR}/config/kind/cgroup-v1.yaml"
export KUBECONFIG="${LOCAL_DIR}/kubeconfig"
METRICS_SERVER_VALUES="${ROOT_DIR}/infra-eks/addons/metrics-server"
MONITORING_VALUES="${ROOT_DIR}/infra-eks/addons/prometheus"
MONITORING_NAMESPACE=monitoring
PROMETHEUS_PORT=30090
ALERTMANAGER_PORT=30093
LOGS="${LOCAL_DIR}/kind-logs"
# kind's default Service subnet (config/kind/cluster.yaml does not change it).
SERVICE_SUBNET=10.96.0.0/16
LOOK_AT="look at: kubectl get events -A --sort-by=.lastTimestamp; kubectl describe nodes; kind export logs --name ${CLUSTER} ${LOGS#"${ROOT_DIR}/"} (KUBECONFIG=${KUBECONFIG#"${ROOT_DIR}/"})"

cgroup_v1() { [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; }

# print_config [--no-port-mappings]: cluster.yaml, plus the kubelet patch on cgroup v1 hosts; without the
# nodes (so without host ports) for a throw-away cluster next to the real one.
print_config() {
  if grep -q '^kubeadmConfigPatches:' "${CONFIG}"; then
    die "${CONFIG#"${ROOT_DIR}/"} has kubeadmConfigPatches, which ${CGROUP_V1_PATCH#"${ROOT_DIR}/"} would duplicate" \
      "move them into ${CGROUP_V1_PATCH#"${ROOT_DIR}/"} (and make it apply on every host) or merge them by hand"
  fi
  if [ "${1:-}" = --no-port-mappings ]; then
    awk '/^nodes:/ { skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip' "${CONFIG}"
  else
    cat "${CONFIG}"
  fi
  ! cgroup_v1 || grep -v '^#' "${CGROUP_V1_PATCH}"
}

exists() { kind get clusters 2>/dev/null | grep -qx "${CLUSTER}"; }

case "${1:-}" in
  --print-config)
    print_config "${2:-}"
    exit 0
    ;;
  --down)
    need_cmd kind "make prereqs"
    if exists; then
      step "Delete kind cluster ${CLUSTER}" kind delete cluster --name "${CLUSTER}"
    else
      log "✔ no kind cluster ${CLUSTER}"
    fi
    rm -f "${KUBECONFIG}"
    exit 0
    ;;
  --service-routing)
    export KUBECONFIG
    [ -f "${KUBECONFIG}" ] || die "no kind cluster (no ${KUBECONFIG})" "make cluster"
    step "Service IPs routed (kube-proxy's rules)" service_routing
    exit 0
    ;;
  "") ;;
  *) die "unknown argument $1" "usage: $0 [--down | --service-routing | --print-config [--no-port-mappings]]" ;;
esac

"${ROOT_DIR}/scripts/docker-engine.sh"
"${ROOT_DIR}/scripts/tools.sh" kind kubectl helm
NODE_IMAGE=$(image_of kind.node.image)
METRICS_SERVER_IMAGE=$(image_of metrics-server.image)
PROMETHEUS_IMAGE=$(image_of prometheus.image)
ALERTMANAGER_IMAGE=$(image_of alertmanager.image)
KSM_IMAGE=$(image_of kube-state-metrics.image)

# ensure_image IMAGE: present in Docker Engine (built by `make images`, or pulled here).
ensure_image() {
  docker image inspect "$1" >/dev/null 2>&1 || timeout 120 docker pull -q "$1" >/dev/null 2>&1 ||
    die "the image $1 is neither in Docker Engine nor pullable" "run 'make images' (it builds it here and records its name)"
}

create() {
  mkdir -p "${LOCAL_DIR}/kind"
  print_config >"${LOCAL_DIR}/kind/cluster.yaml"
  heartbeat "creating ${CLUSTER}" kind create cluster --name "${CLUSTER}" --image "${NODE_IMAGE}" \
    --config "${LOCAL_DIR}/kind/cluster.yaml" --kubeconfig "${KUBECONFIG}" --wait 3m ||
    die "kind could not create ${CLUSTER} from ${NODE_IMAGE}" "${LOOK_AT}"
}

# The cluster answers and its node is Ready; kubeconfig (re)written for this checkout.
healthy() {
  [ "$(docker inspect -f '{{.State.Running}}' "${NODE}" 2>/dev/null)" = true ] &&
    kind get kubeconfig --name "${CLUSTER}" >"${KUBECONFIG}.tmp" 2>/dev/null &&
    mv "${KUBECONFIG}.tmp" "${KUBECONFIG}" && chmod 600 "${KUBECONFIG}" &&
    kubectl get --raw /readyz >/dev/null 2>&1 &&
    kubectl wait --for=condition=Ready "node/${NODE}" --timeout=5s >/dev/null 2>&1
}

wait_ready() {
  kubectl wait --for=condition=Ready "node/${NODE}" --timeout=120s >/dev/null ||
    die "node ${NODE} is not Ready" "${LOOK_AT}"
  kubectl -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null ||
    die "CoreDNS does not run" "kubectl -n kube-system describe pods -l k8s-app=kube-dns; ${LOOK_AT}"
}

# metrics-server from its Helm chart in the pinned Go module, with infra-eks/addons/metrics-server's values
# (values.yaml everywhere, values-kind.yaml here). Skipped when the release already has these inputs.
install_metrics_server() {
  local chart hash
  chart=$(go mod download -json "sigs.k8s.io/metrics-server@${METRICS_SERVER_VERSION}" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')/charts/metrics-server
  [ -f "${chart}/Chart.yaml" ] || die "sigs.k8s.io/metrics-server@${METRICS_SERVER_VERSION} has no chart" "go mod download sigs.k8s.io/metrics-server@${METRICS_SERVER_VERSION}"
  hash=$(recipe_hash "${METRICS_SERVER_VALUES}/values.yaml" "${METRICS_SERVER_VALUES}/values-kind.yaml" \
    <(echo "${METRICS_SERVER_IMAGE} ${METRICS_SERVER_VERSION}"))
  if helm -n kube-system list --deployed -q -l "users-info.inputs=${hash}" 2>/dev/null | grep -qx metrics-server; then
    return 0
  fi
  helm upgrade --install metrics-server "${chart}" --namespace kube-system \
    -f "${METRICS_SERVER_VALUES}/values.yaml" -f "${METRICS_SERVER_VALUES}/values-kind.yaml" \
    --set-string "image.repository=${METRICS_SERVER_IMAGE%:*}" --set-string "image.tag=${METRICS_SERVER_IMAGE##*:}" \
    --labels "users-info.inputs=${hash}" --wait --timeout 3m >/dev/null ||
    die "metrics-server did not become ready" "kubectl -n kube-system describe deployment metrics-server; kubectl -n kube-system logs deployment/metrics-server"
}

# The metrics API answers with the node's usage: what `kubectl top` and the HPA read. metrics-server
# needs one or two scrapes (15 s apart) after it starts.
# After a restart of the node, pods come back with new addresses while kube-apiserver already connects to
# the metrics Service: through missing or stale rules those connections leave the node, and where the
# network intercepts them they stay open to the wrong peer (measured here: the aggregator saw 404 for
# good). Every 20 s without an answer, the connection tracking of Service IPs is dropped, so kube-apiserver
# reconnects through kube-proxy's current rules.
wait_metrics() {
  local deadline=$((SECONDS + 120)) reset=$((SECONDS + 20))
  until kubectl top nodes >/dev/null 2>&1; do
    [ "${SECONDS}" -lt "${deadline}" ] || die "the metrics API does not answer (kubectl top nodes)" \
      "kubectl get apiservice v1beta1.metrics.k8s.io -o yaml; kubectl -n kube-system logs deployment/metrics-server"
    if [ "${SECONDS}" -ge "${reset}" ]; then
      docker exec "${NODE}" conntrack -D --orig-dst "${SERVICE_SUBNET%/*}" --mask-dst 255.255.0.0 >/dev/null 2>&1 || true
      reset=$((SECONDS + 20))
    fi
    sleep 2
  done
}

# prometheus_chart: the `prometheus` chart of PROMETHEUS_COMMUNITY_CHARTS (config/charts.versions) with the
# subcharts its Chart.yaml depends on, taken from the same module, in its charts/ directory: what `helm
# dependency build` would fetch from the chart repository, which is not reachable everywhere. Assembled
# once per module version in the shared cache (the module is checksummed, so the result is too); prints
# the chart's directory.
prometheus_chart() {
  local dir="${CACHE_DIR}/charts/${PROMETHEUS_COMMUNITY_CHARTS}/prometheus" src tmp dep
  if [ ! -f "${dir}/Chart.yaml" ]; then
    src=$(cd "${CACHE_DIR}" && go mod download -json "${PROMETHEUS_COMMUNITY_CHARTS}" |
      sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')/charts
    [ -f "${src}/prometheus/Chart.yaml" ] || die "${PROMETHEUS_COMMUNITY_CHARTS} has no charts/prometheus" \
      "go mod download -json ${PROMETHEUS_COMMUNITY_CHARTS} (is the Go module proxy reachable? go env GOPROXY)"
    mkdir -p "${dir%/*}"
    tmp=$(mktemp -d "${dir%/*}/prometheus.XXXXXX")
    cp -r "${src}/prometheus" "${tmp}/chart"
    mkdir "${tmp}/chart/charts"
    while read -r dep; do
      [ -f "${src}/${dep}/Chart.yaml" ] || die "charts/prometheus depends on ${dep}, which ${PROMETHEUS_COMMUNITY_CHARTS} does not hold" \
        "pin a version of the module whose charts/ has it (config/charts.versions)"
      cp -r "${src}/${dep}" "${tmp}/chart/charts/"
    done < <(sed -n '/^dependencies:/,/^[^ -]/s/^  - name: //p' "${src}/prometheus/Chart.yaml")
    # The module cache is read-only; the copy must stay removable.
    chmod -R u+w "${tmp}"
    # Another checkout may have finished first: its copy is identical.
    mv -T "${tmp}/chart" "${dir}" 2>/dev/null || true
    rm -rf "${tmp}"
  fi
  echo "${dir}"
}

# The monitoring add-on: release `monitoring` of the prometheus chart with infra-eks/addons/prometheus's
# values.yaml and values-kind.yaml and the images of the images configuration. Skipped when the release
# already has these inputs (values, chart module, image IDs); otherwise every pod is restarted, since a
# rebuilt image keeps its tag and Prometheus here has no config reloader.
install_monitoring() {
  local chart ids hash ksm ksm_repository
  chart=$(prometheus_chart)
  ids=$(docker image inspect -f '{{.Id}}' "${PROMETHEUS_IMAGE}" "${ALERTMANAGER_IMAGE}" "${KSM_IMAGE}" 2>/dev/null) || true
  hash=$(recipe_hash "${MONITORING_VALUES}/values.yaml" "${MONITORING_VALUES}/values-kind.yaml" \
    <(echo "${PROMETHEUS_COMMUNITY_CHARTS} ${PROMETHEUS_IMAGE} ${ALERTMANAGER_IMAGE} ${KSM_IMAGE} ${ids}"))
  if helm -n "${MONITORING_NAMESPACE}" list --deployed -q -l "users-info.inputs=${hash}" 2>/dev/null | grep -qx monitoring; then
    return 0
  fi
  # kube-state-metrics' chart takes registry and repository apart.
  ksm=$(normalized "${KSM_IMAGE}")
  ksm_repository="${ksm#*/}"
  helm upgrade --install monitoring "${chart}" --namespace "${MONITORING_NAMESPACE}" --create-namespace \
    -f "${MONITORING_VALUES}/values.yaml" -f "${MONITORING_VALUES}/values-kind.yaml" \
    --set-string "server.image.repository=${PROMETHEUS_IMAGE%:*}" --set-string "server.image.tag=${PROMETHEUS_IMAGE##*:}" \
    --set-string "alertmanager.image.repository=${ALERTMANAGER_IMAGE%:*}" --set-string "alertmanager.image.tag=${ALERTMANAGER_IMAGE##*:}" \
    --set-string "kube-state-metrics.image.registry=${ksm%%/*}" \
    --set-string "kube-state-metrics.image.repository=${ksm_repository%:*}" --set-string "kube-state-metrics.image.tag=${ksm##*:}" \
    --set-string "server.podAnnotations.users-info/inputs=${hash}" \
    --set-string "alertmanager.podAnnotations.users-info/inputs=${hash}" \
    --set-string "kube-state-metrics.podAnnotations.users-info/inputs=${hash}" \
    --labels "users-info.inputs=${hash}" --wait --timeout 3m >/dev/null ||
    die "the monitoring add-on did not become ready" "kubectl -n ${MONITORING_NAMESPACE} get pods; kubectl -n ${MONITORING_NAMESPACE} describe pods; kubectl -n ${MONITORING_NAMESPACE} logs deployment/monitoring-prometheus-server"
}

# Prometheus and Alertmanager answer on their NodePorts (also after a restart of the node, when the release
# is current but the pods are still starting).
wait_monitoring() {
  local deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null "http://127.0.0.1:${PROMETHEUS_PORT}/-/ready" &&
    curl -sf -o /dev/null "http://127.0.0.1:${ALERTMANAGER_PORT}/-/ready"; do
    [ "${SECONDS}" -lt "${deadline}" ] || die "Prometheus (127.0.0.1:${PROMETHEUS_PORT}) or Alertmanager (127.0.0.1:${ALERTMANAGER_PORT}) is not ready" \
      "kubectl -n ${MONITORING_NAMESPACE} get pods; kubectl -n ${MONITORING_NAMESPACE} logs deployment/monitoring-prometheus-server; kubectl -n ${MONITORING_NAMESPACE} logs statefulset/monitoring-alertmanager"
    sleep 1
  done
}

# restart: the node container stopped with Docker Engine (a reboot, or the end of a session): start it
# again and give its kubelet a minute. kind runs its nodes with --restart=on-failure:1, which covers
# daemon restarts, not a daemon that was stopped.
restart() {
  local deadline=$((SECONDS + 90))
  docker start "${NODE}" >/dev/null || return 1
  until healthy; do
    [ "${SECONDS}" -lt "${deadline}" ] || return 1
    sleep 2
  done
}

ensure_image "${NODE_IMAGE}"
if exists && ! healthy; then
  if [ "$(docker inspect -f '{{.State.Running}}' "${NODE}" 2>/dev/null)" = true ] ||
    ! step "Start the stopped node ${NODE}" restart; then
    # A local cluster holds nothing worth keeping: recreate it rather than ask the user to repair it.
    log "  kind cluster ${CLUSTER} exists but does not answer or its node is not Ready: recreating it"
    if kind export logs --name "${CLUSTER}" "${LOGS}" >/dev/null 2>&1; then
      log "  (its logs: ${LOGS#"${ROOT_DIR}/"})"
    fi
    step "Delete kind cluster ${CLUSTER}" kind delete cluster --name "${CLUSTER}"
  fi
fi
if exists; then
  log "✔ kind cluster ${CLUSTER} is up: reusing it"
  running=$(docker inspect -f '{{.Image}}' "${NODE}")
  [ "${running}" = "$(docker image inspect -f '{{.Id}}' "${NODE_IMAGE}")" ] ||
    log "  note: it runs an older build than ${NODE_IMAGE}; 'make cluster-down cluster' recreates it from the new one"
else
  step "Create kind cluster ${CLUSTER} from ${NODE_IMAGE} (config/kind/cluster.yaml$(cgroup_v1 && echo ' + cgroup-v1.yaml'))" create
fi
step "Node Ready, CoreDNS running" wait_ready
step "Service IPs routed (kube-proxy's rules)" service_routing
if docker image inspect "${METRICS_SERVER_IMAGE}" >/dev/null 2>&1; then
  step "Load ${METRICS_SERVER_IMAGE} into the node" load_image "${METRICS_SERVER_IMAGE}"
fi
step "metrics-server ${METRICS_SERVER_VERSION} (Helm chart of its module, infra-eks/addons/metrics-server)" install_metrics_server
step "Metrics API answers (kubectl top nodes)" wait_metrics
for image in "${PROMETHEUS_IMAGE}" "${ALERTMANAGER_IMAGE}" "${KSM_IMAGE}"; do
  if docker image inspect "${image}" >/dev/null 2>&1; then
    step "Load ${image} into the node" load_image "${image}"
  fi
done
step "monitoring: Prometheus, Alertmanager, kube-state-metrics (infra-eks/addons/prometheus, namespace ${MONITORING_NAMESPACE})" install_monitoring
step "Prometheus on 127.0.0.1:${PROMETHEUS_PORT}, Alertmanager on 127.0.0.1:${ALERTMANAGER_PORT} ready" wait_monitoring
log "✔ kind cluster ${CLUSTER} ready: export KUBECONFIG=${KUBECONFIG}"
kubectl top nodes >&2
