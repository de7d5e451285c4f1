#!/usr/bin/env bash
# Builds the kind node image without any registry, after kind's own recipe: its images/base Dockerfile
# (a systemd Debian with containerd, runc and CNI plugins, plus kind's files from its Go module) and
# `kind build node-image` (Kubernetes binaries in /usr/bin, the control-plane images preloaded into
# containerd, the default StorageClass manifest). What differs from upstream, and why:
# docs/local-environment.md, "Kubernetes cluster (kind)".
#   scripts/images/kind-node.sh IMAGE   (make images; the image is labelled with the hash of its inputs)
# Stages, each cached: Go binaries (scripts/images/k8s-binaries.sh, ~/.cache/users-info/k8s), the base
# image users-info/kind-base (debootstrap, its own recipe label), then the node image itself.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../../config/tools.versions
source "${ROOT_DIR}/config/tools.versions"
# shellcheck source=../../config/kind/components.versions
source "${ROOT_DIR}/config/kind/components.versions"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
HERE="${ROOT_DIR}/scripts/images"
NODE_FILES="${HERE}/k8s-node"
STORAGE="${ROOT_DIR}/config/kind/storage"
BASE_IMAGE="users-info/kind-base:${KIND_VERSION}-${NODE_DEBIAN_SUITE}"
# What kind's base image installs (images/base/Dockerfile), minus what only rootless or storage
# drivers we do not use need (fuse-overlayfs, nfs-common, open-iscsi, e2fsprogs, pigz), plus containerd,
# runc and the CNI plugins, which kind builds from source and Debian packages.
NODE_PACKAGES=(systemd containerd runc containernetworking-plugins conntrack iptables nftables iproute2
  ethtool util-linux mount kmod libseccomp2 socat bash ca-certificates curl jq procps)
"${ROOT_DIR}/scripts/docker-engine.sh"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${HERE}/k8s-binaries.sh" "${ROOT_DIR}/config/kind/components.versions" \
  <(printf '%s %s\n' "${KUBERNETES_VERSION}" "${KIND_VERSION}") \
  <(cd "${ROOT_DIR}" && find scripts/images/k8s-node scripts/images/k8s-pause config/kind/storage -type f | sort | xargs cat))
image_is_current "${IMAGE}" "${recipe}" && exit 0

need_cmd kind "make prereqs"
need_cmd kubectl "make prereqs"
WORK=$(mktemp -d "${CACHE_DIR}/kind-node.XXXXXX")
BUILD_NAME="users-info-kind-node-build-$$"
SMOKE_CLUSTER="users-info-smoke-$$"
cleanup() {
  docker rm -f -v "${BUILD_NAME}" >/dev/null 2>&1 || true
  kind delete cluster --name "${SMOKE_CLUSTER}" >/dev/null 2>&1 || true
  docker image rm "users-info/kind-node:candidate-$$" >/dev/null 2>&1 || true
  docker image ls -q --filter "label=users-info.kind-node-build=$$" | xargs -r docker image rm -f >/dev/null 2>&1 || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

# binaries COMPONENT VERSION: the cache directory k8s-binaries.sh fills.
binaries() { echo "${CACHE_DIR}/k8s/$1-$2"; }
build_binaries() {
  heartbeat "building $1 $2" "${HERE}/k8s-binaries.sh" "$1" "$2" >/dev/null
}

step "Kubernetes ${KUBERNETES_VERSION} binaries (cached; about 6 min on 2 cores when the Go caches are cold)" \
  build_binaries kubernetes "${KUBERNETES_VERSION}"
K8S="$(binaries kubernetes "${KUBERNETES_VERSION}")"
# The images kubeadm pulls, exactly as it names them: the preloaded ones must match or it pulls anyway.
mapfile -t REQUIRED < <("${K8S}/kubeadm" config images list --kubernetes-version "${KUBERNETES_VERSION}")
required() { printf '%s\n' "${REQUIRED[@]}" | grep -E "^registry\.k8s\.io/$1:" | cut -d: -f2; }
ETCD_TAG=$(required etcd)
COREDNS_TAG=$(required coredns/coredns)
PAUSE_TAG=$(required pause)
if [ -z "${ETCD_TAG}" ] || [ -z "${COREDNS_TAG}" ] || [ -z "${PAUSE_TAG}" ]; then
  die "kubeadm ${KUBERNETES_VERSION} names images this recipe does not know: ${REQUIRED[*]}" "extend $0"
fi
ETCD_VERSION="v${ETCD_TAG%-*}"
step "etcd ${ETCD_VERSION} binaries (cached)" build_binaries etcd "${ETCD_VERSION}"
step "CoreDNS ${COREDNS_TAG} binary (cached)" build_binaries coredns "${COREDNS_TAG}"
step "local-path-provisioner ${LOCAL_PATH_PROVISIONER_VERSION} binary (cached)" \
  build_binaries local-path-provisioner "${LOCAL_PATH_PROVISIONER_VERSION}"

# --- the base image: kind's images/base, from Debian packages ---------------------------------------------
KIND_FILES=$(go mod download -json "sigs.k8s.io/kind@${KIND_VERSION}" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')/images/base/files
[ -d "${KIND_FILES}" ] || die "kind ${KIND_VERSION}'s module has no images/base/files" "go mod download sigs.k8s.io/kind@${KIND_VERSION}"
base_recipe=$(recipe_hash <(sed -n '/^# --- the base image/,/^# --- end of the base image/p' "${BASH_SOURCE[0]}") \
  <(printf '%s\n' "${NODE_PACKAGES[@]}" "${NODE_DEBIAN_SUITE}" "${NODE_DEBIAN_MIRROR}" "${KIND_VERSION}") \
  <(cd "${NODE_FILES}" && find . -type f | sort | xargs cat))

build_base() {
  local rootfs="${WORK}/base" files="${KIND_FILES}"
  apt_install debootstrap
  heartbeat "debootstrap ${NODE_DEBIAN_SUITE}" debootstrap --variant=minbase \
    --include="$(IFS=,; echo "${NODE_PACKAGES[*]}")" "${NODE_DEBIAN_SUITE}" "${rootfs}" "${NODE_DEBIAN_MIRROR}" \
    >"${WORK}/debootstrap.log" 2>&1 || {
    tail -n 30 "${WORK}/debootstrap.log" >&2
    die "debootstrap of ${NODE_DEBIAN_SUITE} failed" "check that ${NODE_DEBIAN_MIRROR} is reachable"
  }
  # kind's files, installed with the modes its Dockerfile gives them.
  install -D -m 0755 -t "${rootfs}/usr/local/bin" "${files}"/usr/local/bin/*
  install -d -m 0755 "${rootfs}/kind/bin" "${rootfs}/etc/kubernetes/manifests" "${rootfs}/kind/manifests"
  install -m 0644 "${files}/kind/README.txt" "${rootfs}/kind/"
  install -m 0755 -t "${rootfs}/kind/bin" "${files}"/kind/bin/*
  install -m 0644 "${files}/etc/crictl.yaml" "${rootfs}/etc/"
  install -m 0644 -t "${rootfs}/etc/containerd" "${files}"/etc/containerd/*
  install -m 0644 -t "${rootfs}/etc/default" "${files}"/etc/default/*
  install -m 0644 -t "${rootfs}/etc/sysctl.d" "${files}"/etc/sysctl.d/*
  install -m 0644 -t "${rootfs}/etc/systemd/system" "${files}"/etc/systemd/system/*.service "${files}"/etc/systemd/system/*.slice
  install -D -m 0644 -t "${rootfs}/etc/systemd/system/kubelet.service.d" "${files}"/etc/systemd/system/kubelet.service.d/*
  # Ours: the pod network and the oom_score_adj guard (see the files themselves).
  cp -a "${NODE_FILES}/." "${rootfs}/"
  # kind's units and scripts expect its own builds under /usr/local and /opt/cni/bin.
  local binary
  for binary in containerd containerd-shim-runc-v2 ctr; do ln -sf "/usr/bin/${binary}" "${rootfs}/usr/local/bin/${binary}"; done
  ln -sf /usr/sbin/runc "${rootfs}/usr/local/sbin/runc"
  mkdir -p "${rootfs}/opt/cni"
  ln -sfn /usr/lib/cni "${rootfs}/opt/cni/bin"
  # As kind's Dockerfile: systemd as a container's init, only the units a node needs.
  chroot "${rootfs}" sh -euc '
    find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete
    rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/*
    echo ReadKMsg=no >>/etc/systemd/journald.conf
    ln -sf /usr/lib/systemd/systemd /sbin/init
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service
    systemctl mask systemd-binfmt.service
    # containerd base spec for every container: kind mounts the node product files through this hook,
    # and drops rlimits so that containers inherit the node limits.
    ctr oci spec | jq ".hooks.createContainer += [{\"path\": \"/kind/bin/mount-product-files.sh\"}] | del(.process.rlimits)" \
      >/etc/containerd/cri-base.json
  ' >"${WORK}/chroot.log" 2>&1 || { cat "${WORK}/chroot.log" >&2; die "configuring the base rootfs failed" "see the output above"; }
  # shellcheck disable=SC2016 # dpkg-query's format, not shell
  chroot "${rootfs}" dpkg-query -W -f '${Package}=${Version}\n' "${NODE_PACKAGES[@]}" >"${WORK}/packages"
  rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/* "${rootfs}"/usr/share/{doc,man,info}/* \
    "${rootfs}"/var/log/*.log
  tar -C "${rootfs}" --numeric-owner -c . | docker import \
    --change 'ENV container=docker' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    --change "LABEL users-info.recipe=${base_recipe} users-info.node.packages=\"$(paste -sd' ' "${WORK}/packages")\"" \
    - "${BASE_IMAGE}" >/dev/null
}
# --- end of the base image ----------------------------------------------------------------------------
if ! image_is_current "${BASE_IMAGE}" "${base_recipe}"; then
  old_base=$(docker image inspect -f '{{.Id}}' "${BASE_IMAGE}" 2>/dev/null) || true
  step "Base image ${BASE_IMAGE}: debootstrap ${NODE_DEBIAN_SUITE} with systemd, containerd, runc, CNI plugins + kind ${KIND_VERSION}'s files (about 1.5 min)" build_base
  # The previous base is dangling now (node images built on it keep their layers).
  [ -z "${old_base}" ] || docker image rm "${old_base}" >/dev/null 2>&1 || true
fi

# --- the images preloaded into the node's containerd -----------------------------------------------------
# import_image NAME ROOTFS CHANGE...: a Docker image of ROOTFS, under a temporary name (the upstream
# names are given inside the node only, never in the host's Docker Engine).
import_image() {
  local name="$1" rootfs="$2" tmp
  shift 2
  tmp="users-info/kind-node-build-$$:$(echo "${name}" | tr '/:' '__')"
  local changes=(--change "LABEL users-info.kind-node-build=$$" --change "LABEL users-info.image=${name}")
  local change
  for change in "$@"; do changes+=(--change "${change}"); done
  tar -C "${rootfs}" --numeric-owner -c . | docker import "${changes[@]}" - "${tmp}" >/dev/null
  printf '%s %s\n' "${tmp}" "${name}" >>"${WORK}/preload"
}

# scratch_rootfs DIR FILE...: a root with the static FILEs in /usr/local/bin and a /tmp.
scratch_rootfs() {
  local dir="$1"
  shift
  install -D -m 0755 -t "${dir}/usr/local/bin" "$@"
  install -d -m 1777 "${dir}/tmp"
}

build_preloads() {
  local root="${WORK}/images" name binary
  local path_env='ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  for binary in kube-apiserver kube-controller-manager kube-scheduler; do
    scratch_rootfs "${root}/${binary}" "${K8S}/${binary}"
    import_image "registry.k8s.io/${binary}:${KUBERNETES_VERSION}" "${root}/${binary}" "${path_env}"
  done
  # kube-proxy runs in nftables mode (config/kind/cluster.yaml), so its image needs nft and the libraries
  # it links, nothing else: taken from the base image, so they are the node's own.
  scratch_rootfs "${root}/kube-proxy" "${K8S}/kube-proxy"
  docker run --rm -i --entrypoint /bin/bash "${BASE_IMAGE}" -s <<'EOF' | tar -C "${root}/kube-proxy" -x
set -euo pipefail
{
  echo usr/sbin/nft
  # "libx.so => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"
  ldd /usr/sbin/nft | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sed 's|^/||'
} | tar -C / -c -h -T -
EOF
  import_image "registry.k8s.io/kube-proxy:${KUBERNETES_VERSION}" "${root}/kube-proxy" "${path_env}"
  scratch_rootfs "${root}/etcd" "$(binaries etcd "${ETCD_VERSION}")"/{etcd,etcdctl}
  import_image "registry.k8s.io/etcd:${ETCD_TAG}" "${root}/etcd" "${path_env}"
  # kubeadm's CoreDNS Deployment passes only arguments: the binary is the entrypoint, at /coredns.
  install -D -m 0755 "$(binaries coredns "${COREDNS_TAG}")/coredns" "${root}/coredns/coredns"
  import_image "registry.k8s.io/coredns/coredns:${COREDNS_TAG}" "${root}/coredns" 'ENTRYPOINT ["/coredns"]'
  mkdir -p "${root}/pause"
  CGO_ENABLED=0 go build -C "${HERE}/k8s-pause" -trimpath -ldflags '-s -w' -o "${root}/pause/pause" . ||
    die "building pause failed" "go build -C ${HERE}/k8s-pause ."
  import_image "registry.k8s.io/pause:${PAUSE_TAG}" "${root}/pause" 'ENTRYPOINT ["/pause"]' 'USER 65535:65535'
  # local-path-provisioner's manifest names these two images; its helper pod runs sh, mkdir and rm.
  scratch_rootfs "${root}/local-path-provisioner" \
    "$(binaries local-path-provisioner "${LOCAL_PATH_PROVISIONER_VERSION}")/local-path-provisioner"
  import_image "docker.io/rancher/local-path-provisioner:${LOCAL_PATH_PROVISIONER_VERSION}" \
    "${root}/local-path-provisioner" "${path_env}"
  dpkg-deb -x "$(fetch_deb busybox-static)" "${root}/busybox"
  for name in $("${root}/busybox/bin/busybox" --list); do
    # The list names busybox itself.
    [ "${name}" = busybox ] || ln -sf busybox "${root}/busybox/bin/${name}"
  done
  rm -rf "${root}/busybox/usr/share"
  install -d -m 1777 "${root}/busybox/tmp"
  import_image docker.io/library/busybox:latest "${root}/busybox" 'ENV PATH=/bin' 'CMD ["sh"]'
}

# The default StorageClass manifest: local-path-provisioner's own, made default (config/kind/storage).
render_storage() {
  local dir="${WORK}/storage" module
  module=$(go mod download -json "github.com/rancher/local-path-provisioner@${LOCAL_PATH_PROVISIONER_VERSION}" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  mkdir -p "${dir}"
  cp "${STORAGE}"/* "${dir}/"
  install -m 0644 "${module}/deploy/local-path-storage.yaml" "${dir}/"
  kubectl kustomize "${dir}" >"${WORK}/default-storage.yaml"
}

# As `kind build node-image`: binaries into /usr/bin, the images into containerd's content store
# (pinned, so the kubelet's image GC never removes them), the sandbox image kubeadm expects.
assemble_node() {
  local tmp name
  # docker import and commit cannot set STOPSIGNAL, but commit keeps the container's: systemd shuts down
  # cleanly on SIGRTMIN+3 (it ignores SIGTERM as PID 1), as in kind's Dockerfile. --init reaps the
  # containerd started below once it is stopped (a plain sleep as PID 1 would leave it a zombie).
  docker run -d --init --name "${BUILD_NAME}" --stop-signal SIGRTMIN+3 --entrypoint sleep "${BASE_IMAGE}" infinity >/dev/null
  for name in kubeadm kubelet kubectl; do docker cp "${K8S}/${name}" "${BUILD_NAME}:/usr/bin/${name}"; done
  printf '%s' "${KUBERNETES_VERSION}" | docker exec -i "${BUILD_NAME}" tee /kind/version >/dev/null
  docker cp "${WORK}/default-storage.yaml" "${BUILD_NAME}:/kind/manifests/default-storage.yaml"
  docker exec "${BUILD_NAME}" sed -i "s|^\([[:space:]]*sandbox_image[[:space:]]*=\).*|\1 \"registry.k8s.io/pause:${PAUSE_TAG}\"|" \
    /etc/containerd/config.toml
  docker exec "${BUILD_NAME}" bash -c 'nohup containerd >/var/log/containerd-build.log 2>&1 &'
  docker exec "${BUILD_NAME}" bash -c 'for i in $(seq 50); do [ -S /run/containerd/containerd.sock ] && ctr version >/dev/null 2>&1 && exit 0; sleep 0.2; done; cat /var/log/containerd-build.log; exit 1' ||
    die "containerd did not start in the build container" "docker logs ${BUILD_NAME}"
  # shellcheck disable=SC2046 # one word per image name
  docker save $(cut -d' ' -f1 "${WORK}/preload") |
    docker exec -i "${BUILD_NAME}" ctr -n k8s.io images import --label=io.cri-containerd.pinned=pinned --no-unpack --digests - >/dev/null
  while read -r tmp name; do
    docker exec "${BUILD_NAME}" ctr -n k8s.io images tag --force "docker.io/${tmp}" "${name}" >/dev/null
    docker exec "${BUILD_NAME}" ctr -n k8s.io images rm "docker.io/${tmp}" >/dev/null
  done <"${WORK}/preload"
  docker exec "${BUILD_NAME}" ctr -n k8s.io images ls -q >"${WORK}/imported"
  docker exec "${BUILD_NAME}" bash -c 'pkill containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done; rm -f /var/log/containerd-build.log'
  for name in "${REQUIRED[@]}" docker.io/rancher/local-path-provisioner:"${LOCAL_PATH_PROVISIONER_VERSION}"; do
    grep -qx "${name}" "${WORK}/imported" || die "${name} is not in the node's containerd" "see ${WORK}/preload"
  done
  docker commit \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    --change 'CMD []' \
    --change "LABEL users-info.recipe=${recipe} users-info.kubernetes.version=${KUBERNETES_VERSION} users-info.kind.version=${KIND_VERSION}" \
    "${BUILD_NAME}" >"${WORK}/id"
}

# The real test of a node image: a cluster of it becomes Ready (kind waits for the control plane), its
# CoreDNS and storage provisioner run from the preloaded images, with nothing pulled.
smoke_test() {
  local candidate="users-info/kind-node:candidate-$$" kubeconfig="${WORK}/kubeconfig"
  docker tag "$(cat "${WORK}/id")" "${candidate}"
  # The project's cluster configuration without its host ports, which the real cluster may hold.
  "${ROOT_DIR}/scripts/cluster.sh" --print-config --no-port-mappings >"${WORK}/cluster.yaml"
  kind create cluster --name "${SMOKE_CLUSTER}" --image "${candidate}" --config "${WORK}/cluster.yaml" \
    --kubeconfig "${kubeconfig}" --wait 3m >"${WORK}/kind.log" 2>&1 || {
    cat "${WORK}/kind.log" >&2
    kind export logs --name "${SMOKE_CLUSTER}" "${WORK}/logs" >/dev/null 2>&1 || true
    die "a cluster of the new node image did not come up" "logs were exported to ${WORK}/logs (deleted on exit: rerun with the trap removed to keep them)"
  }
  KUBECONFIG="${kubeconfig}" kubectl -n kube-system rollout status deployment/coredns --timeout=120s >/dev/null ||
    die "CoreDNS does not run in a cluster of the new node image" "kubectl -n kube-system describe pods -l k8s-app=kube-dns"
  KUBECONFIG="${kubeconfig}" kubectl -n local-path-storage rollout status deployment/local-path-provisioner --timeout=60s >/dev/null ||
    die "local-path-provisioner does not run in a cluster of the new node image" "kubectl -n local-path-storage describe pods"
  # The default StorageClass provisions: its helper pod (busybox) creates the volume's directory.
  KUBECONFIG="${kubeconfig}" kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: smoke, namespace: default }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Mi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: smoke, namespace: default }
spec:
  containers: [{ name: pause, image: "registry.k8s.io/pause:${PAUSE_TAG}", volumeMounts: [{ name: data, mountPath: /data }] }]
  volumes: [{ name: data, persistentVolumeClaim: { claimName: smoke } }]
EOF
  KUBECONFIG="${kubeconfig}" kubectl wait --for=jsonpath='{.status.phase}'=Bound pvc/smoke --timeout=90s >/dev/null ||
    die "the default StorageClass does not provision a volume in a cluster of the new node image" \
      "kubectl describe pvc smoke; kubectl -n local-path-storage logs deployment/local-path-provisioner"
  kind delete cluster --name "${SMOKE_CLUSTER}" >/dev/null 2>&1
}

step "Images to preload: control plane ${KUBERNETES_VERSION}, etcd ${ETCD_TAG}, CoreDNS ${COREDNS_TAG}, pause ${PAUSE_TAG}, local-path-provisioner" build_preloads
step "Default StorageClass manifest (local-path-provisioner ${LOCAL_PATH_PROVISIONER_VERSION})" render_storage
step "Assemble the node: binaries, preloaded images, sandbox image pause:${PAUSE_TAG}" assemble_node
step "Smoke-test: a one-node cluster of it becomes Ready, CoreDNS runs, the default StorageClass provisions" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
# Untagging the candidate now only drops that name (the trap would otherwise delete the new image).
docker image rm "users-info/kind-node:candidate-$$" >/dev/null
