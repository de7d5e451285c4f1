#!/usr/bin/env bash
# Static, version-stamped Go binaries of the cluster's components, built from their Go modules (the Go
# module proxy serves them; no registry, no git clone) and cached in ~/.cache/users-info/k8s/, which
# every checkout shares: a second call costs a version check.
#   scripts/images/k8s-binaries.sh COMPONENT VERSION   prints the directory holding the binaries
# COMPONENT (VERSION as the project tags it):
#   kubernetes (v1.35.4)            kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl
#   etcd (v3.6.6)                   etcd etcdctl
#   coredns (v1.13.1)               coredns
#   local-path-provisioner (v0.0.30) local-path-provisioner
# Every binary is CGO_ENABLED=0 (no libc: it runs in a scratch image) and -trimpath -s -w, stamped with its
# version the way the component's own release build does. Builds go to a temporary directory and replace
# the cached one only once complete; another checkout building the same component is waited for.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

COMPONENT="${1:?usage: $0 COMPONENT VERSION (see the top of $0)}"
VERSION="${2:?usage: $0 COMPONENT VERSION}"
[[ "${VERSION}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "${COMPONENT} version '${VERSION}' is not vX.Y.Z" "pass a tag such as v1.2.3"
need_cmd go "install Go 1.21 or newer (https://go.dev/dl); it fetches the toolchain a module asks for through the Go module proxy"

case "${COMPONENT}" in
  kubernetes) BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet kubeadm kubectl) ;;
  etcd) BINARIES=(etcd etcdctl) ;;
  coredns | local-path-provisioner) BINARIES=("${COMPONENT}") ;;
  *) die "unknown component ${COMPONENT}" "choose among: kubernetes etcd coredns local-path-provisioner" ;;
esac

DIR="${CACHE_DIR}/k8s/${COMPONENT}-${VERSION}"
# The build flags live in this file: a change to it rebuilds every component.
RECIPE=$(recipe_hash "${BASH_SOURCE[0]}")

current() {
  local binary
  [ "$(cat "${DIR}/.recipe" 2>/dev/null)" = "${RECIPE}" ] || return 1
  for binary in "${BINARIES[@]}"; do
    [ -x "${DIR}/${binary}" ] || return 1
  done
}

if current; then
  echo "${DIR}"
  exit 0
fi
mkdir -p "${CACHE_DIR}/locks" "${CACHE_DIR}/k8s"
exec {lock_fd}>"${CACHE_DIR}/locks/k8s-${COMPONENT}"
flock "${lock_fd}"
if current; then
  echo "${DIR}"
  exit 0
fi

WORK=$(mktemp -d "${CACHE_DIR}/k8s/.build-${COMPONENT}.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
OUT="${WORK}/bin"
mkdir -p "${OUT}"
GO_LOG="${WORK}/go.log"

# go_quiet ARGS...: run go, showing its output only when it fails (module resolution is chatty).
go_quiet() {
  go "$@" >>"${GO_LOG}" 2>&1 || {
    tail -n 40 "${GO_LOG}" >&2
    die "'go $*' failed for ${COMPONENT} ${VERSION}" "the Go module proxy must serve it: 'go list -m -versions <module>'"
  }
}

# release_date MODULE VERSION: the proxy's time of the tag, as a reproducible build date.
release_date() {
  go list -m -json "$1@$2" | sed -n 's/^\t"Time": "\(.*\)",$/\1/p'
}

# wrapper_module MODULE VERSION REPLACEMENT_VERSION: a throw-away main module requiring MODULE, for
# modules whose go.mod replaces sibling modules with local paths (../api, ./staging/...). Go ignores
# replace directives of dependencies, so building such a module directly fails; the wrapper replaces
# each of those siblings by its published release (REPLACEMENT_VERSION), which is what they are.
wrapper_module() {
  local module="$1" version="$2" sibling_version="$3" gomod sibling siblings godebug
  gomod=$(go mod download -json "${module}@${version}" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')
  [ -s "${gomod}" ] || die "the Go module proxy does not serve ${module}@${version}" "go list -m -versions ${module}"
  (
    cd "${WORK}"
    go_quiet mod init "users-info.local/build-${COMPONENT}"
    # The language version and GODEBUG defaults of a build come from the main module: keep the component's.
    go_quiet mod edit -go="$(sed -n 's/^go //p' "${gomod}")" -require="${module}@${version}"
    godebug=$(sed -n 's/^godebug //p' "${gomod}")
    [ -z "${godebug}" ] || go_quiet mod edit -godebug="${godebug}"
    mapfile -t siblings < <(awk '$2 == "=>" && $3 ~ /^\.\.?\// { print $1 }' "${gomod}")
    for sibling in "${siblings[@]}"; do
      go_quiet mod edit -replace="${sibling}=${sibling}@${sibling_version}"
    done
  )
}

# build_in_wrapper LDFLAGS TAGS PACKAGE...: build main packages of the wrapper's dependency into OUT.
build_in_wrapper() {
  local ldflags="$1" tags="$2"
  shift 2
  (
    cd "${WORK}"
    # `go get` of the main packages pins every module they import (go.sum included); without @VERSION it
    # would upgrade the component to its latest release.
    go_quiet get "${@/%/@${VERSION}}"
    CGO_ENABLED=0 go build -trimpath -tags "${tags}" -ldflags "-s -w ${ldflags}" -o "${OUT}/" "$@" ||
      die "building ${COMPONENT} ${VERSION} failed" "read the go output above"
  )
}

build_kubernetes() {
  local minor="${VERSION#v1.}" stamps="" key value date
  minor="${minor%%.*}"
  date=$(release_date k8s.io/kubernetes "${VERSION}")
  wrapper_module k8s.io/kubernetes "${VERSION}" "v0.${VERSION#v1.}"
  # As hack/lib/version.sh stamps a release (the proxy does not say which commit the tag is).
  for key in gitVersion="${VERSION}" gitMajor=1 gitMinor="${minor}" buildDate="${date}"; do
    value="${key#*=}" key="${key%%=*}"
    stamps+=" -X k8s.io/component-base/version.${key}=${value} -X k8s.io/client-go/pkg/version.${key}=${value}"
  done
  # The tags of hack/lib/golang.sh for a release build.
  build_in_wrapper "${stamps}" selinux,notest,grpcnotrace \
    "${BINARIES[@]/#/k8s.io/kubernetes/cmd/}"
}

build_etcd() {
  wrapper_module go.etcd.io/etcd/server/v3 "${VERSION}" "${VERSION}"
  # etcdctl is its own module; the wrapper resolves it at the same release.
  (cd "${WORK}" && go_quiet mod edit -require="go.etcd.io/etcd/etcdctl/v3@${VERSION}")
  build_in_wrapper "" "" go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3
  # go names a binary after its path without the major-version suffix: server.
  mv "${OUT}/server" "${OUT}/etcd"
}

# go_install PACKAGE@VERSION LDFLAGS: modules that build as they are.
go_install() {
  GOBIN="${OUT}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w $2" "$1" >>"${GO_LOG}" 2>&1 || {
    tail -n 40 "${GO_LOG}" >&2
    die "building $1 failed" "the Go module proxy must serve it: 'go list -m -versions ${1%@*}'"
  }
}

case "${COMPONENT}" in
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  # CoreDNS's version is a constant in its source; its Makefile only adds the commit.
  coredns) go_install "github.com/coredns/coredns@${VERSION}" "" ;;
  local-path-provisioner)
    go_install "github.com/rancher/local-path-provisioner@${VERSION}" "-X main.VERSION=${VERSION}"
    ;;
esac

for binary in "${BINARIES[@]}"; do
  [ -x "${OUT}/${binary}" ] || die "${COMPONENT} ${VERSION}: ${binary} was not built" "check the package list of ${COMPONENT} in $0"
  # A dynamically linked binary would fail in a scratch image with a misleading "no such file".
  ! file "${OUT}/${binary}" | grep -q 'dynamically linked' ||
    die "${binary} is dynamically linked" "it must be built with CGO_ENABLED=0"
done
printf '%s\n' "${RECIPE}" >"${OUT}/.recipe"
rm -rf "${DIR}"
mv "${OUT}" "${DIR}"
echo "${DIR}"
