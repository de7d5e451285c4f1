#!/usr/bin/env bash
# Deploys the service into the local kind cluster (make cluster) as it is deployed on EKS: the image
# loaded into the node, the chart infra-eks/chart/users-info installed with ci/kind-values.yaml (DynamoDB
# Local from make emulators, NodePort 127.0.0.1:30080), then waits until the pods are Ready and, when the
# until the cluster's Prometheus (namespace monitoring) has loaded the chart's alert rules.
#   scripts/deploy-kind.sh [IMAGE]      IMAGE defaults to the images configuration's service.image
# Environment: USERS_INFO_NAMESPACE (default users-info); extra `helm` arguments in HELM_EXTRA_ARGS.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

IMAGE="${1:-$(image_of service.image)}"
NAMESPACE="${USERS_INFO_NAMESPACE:-users-info}"
RELEASE=users-info
CHART="${ROOT_DIR}/infra-eks/chart/users-info"
PROMETHEUS=http://127.0.0.1:30090
export KUBECONFIG="${LOCAL_DIR}/kubeconfig"

need_cmd helm "run \`make prereqs\`"
need_cmd kubectl "run \`make prereqs\`"
[ -f "${KUBECONFIG}" ] || die "no kind cluster (no ${KUBECONFIG})" "make cluster"
docker image inspect "${IMAGE}" >/dev/null 2>&1 ||
  die "no image ${IMAGE} in Docker Engine" "scripts/mvn.sh -pl service -am verify builds it (Jib), or pass another IMAGE"

# Restricted Pod Security is enforced, as the chart's pods are meant to meet it.
namespace() {
  kubectl create namespace "${NAMESPACE}" --dry-run=client -o yaml | kubectl apply -f - >/dev/null &&
    kubectl label --overwrite namespace "${NAMESPACE}" pod-security.kubernetes.io/enforce=restricted \
      pod-security.kubernetes.io/warn=restricted >/dev/null
}

# The tag alone (users-info:local) does not change when the image does: the image id in a pod
# annotation rolls the pods whenever a new image is loaded.
install() {
  local id
  id=$(docker image inspect -f '{{.Id}}' "${IMAGE}")
  # shellcheck disable=SC2086 # HELM_EXTRA_ARGS is a list of arguments
  helm upgrade --install "${RELEASE}" "${CHART}" --namespace "${NAMESPACE}" \
    -f "${CHART}/ci/kind-values.yaml" \
    --set-string "image.repository=${IMAGE%:*}" --set-string "image.tag=${IMAGE##*:}" \
    --set-string "podAnnotations.users-info/image-id=${id#sha256:}" \
    ${HELM_EXTRA_ARGS:-} --wait --timeout 3m >/dev/null ||
    die "${RELEASE} did not become ready in ${NAMESPACE}" \
      "kubectl -n ${NAMESPACE} get pods; kubectl -n ${NAMESPACE} describe pods; kubectl -n ${NAMESPACE} logs deploy/${RELEASE}; is DynamoDB Local up (make emulators)?"
}

# helm --wait returns once the new pods are Ready; the replaced ones still drain (preStop, graceful
# shutdown). Done means only the new pods are left, so what answers and what Prometheus scrapes is them.
old_pods_gone() {
  local deadline=$((SECONDS + 90))
  while kubectl -n "${NAMESPACE}" get pods -l "app.kubernetes.io/instance=${RELEASE}" \
    -o jsonpath='{.items[*].metadata.deletionTimestamp}' | grep -q .; do
    ((SECONDS < deadline)) || die "pods of ${RELEASE} are still terminating after 90 s" "kubectl -n ${NAMESPACE} get pods; kubectl -n ${NAMESPACE} describe pods"
    sleep 2
  done
}

# Prometheus reads rule files at start and on /-/reload; the rules ConfigMap reaches its pod through the
# kubelet's volume sync (up to a minute), so reload until the chart's groups are loaded.
rules_loaded() {
  curl -fsS "${PROMETHEUS}/api/v1/rules" 2>/dev/null | grep -q '"name":"users-info.slo"'
}
await_rules() {
  local deadline=$((SECONDS + 150))
  until rules_loaded; do
    ((SECONDS < deadline)) || die "Prometheus did not load the rules of ${RELEASE}" \
      "kubectl -n monitoring get configmap ${RELEASE}-alert-rules; kubectl -n monitoring logs deploy/monitoring-prometheus-server; ${PROMETHEUS}/rules"
    curl -fsS -X POST "${PROMETHEUS}/-/reload" >/dev/null 2>&1 || true
    sleep 5
  done
}

# ci/kind-values.yaml hands the alert rules to the cluster's Prometheus, in its namespace.
kubectl get namespace monitoring >/dev/null 2>&1 ||
  die "the kind cluster has no monitoring namespace (Prometheus, Alertmanager)" "make cluster"
step "Service IPs routed (kube-proxy's rules)" service_routing
step "Namespace ${NAMESPACE} (restricted Pod Security)" namespace
step "Load ${IMAGE} into the node" load_image "${IMAGE}"
step "helm upgrade --install ${RELEASE} (ci/kind-values.yaml)" install
step "Replaced pods gone" old_pods_gone
step "Prometheus loads the alert rules of ${RELEASE}" await_rules
log "users-info: http://127.0.0.1:30080/ (kubectl -n ${NAMESPACE} get pods)"
