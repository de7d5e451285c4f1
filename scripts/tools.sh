#!/usr/bin/env bash
# Pinned CLIs in $BIN_DIR (on PATH for every script), one ✔ line per tool with its version:
#   kind, k6, vegeta, kubectl, helm, kubeconform  built from Go modules at the versions in config/tools.versions
#   terraform                             built from its Go module and the nested modules it replaces
#   tflint, tflint-ruleset-aws (its AWS plugin, found through TFLINT_PLUGIN_DIR=$BIN_DIR), terraform-docs
#   promtool, amtool                      the binaries of Debian's prometheus and prometheus-alertmanager
#                                         packages, extracted from the .deb: no service is installed
# Usage: scripts/tools.sh [TOOL...]   (default: all of them)
# A tool is rebuilt only when $BIN_DIR/TOOL does not report the pinned version. Builds go to a temporary
# directory and are moved into place once they report that version, so a failed or interrupted build
# never leaves a broken tool behind.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../config/tools.versions
source "${ROOT_DIR}/config/tools.versions"

# tflint before its plugin: the plugin reports its version through tflint.
GO_TOOLS=(kind k6 vegeta kubectl helm kubeconform terraform tflint tflint-ruleset-aws terraform-docs)
DEB_TOOLS=(promtool amtool)

# pinned TOOL: the version config/tools.versions asks for.
pinned() {
  case "$1" in
    kind) echo "${KIND_VERSION}" ;;
    k6) echo "${K6_VERSION}" ;;
    vegeta) echo "${VEGETA_VERSION}" ;;
    kubectl) echo "${KUBERNETES_VERSION}" ;;
    helm) echo "${HELM_VERSION}" ;;
    kubeconform) echo "${KUBECONFORM_VERSION}" ;;
    terraform) echo "${TERRAFORM_VERSION}" ;;
    tflint) echo "${TFLINT_VERSION}" ;;
    tflint-ruleset-aws) echo "${TFLINT_RULESET_AWS_VERSION}" ;;
    terraform-docs) echo "${TERRAFORM_DOCS_VERSION}" ;;
  esac
}

# reported TOOL BINARY: the version BINARY says it is (first vX.Y.Z of its version command); empty if none.
reported() {
  local out
  case "$1" in
    kind | k6) out=$("$2" version 2>/dev/null) ;;
    vegeta) out=$("$2" -version 2>/dev/null) ;;
    kubectl) out=$("$2" version --client 2>/dev/null) ;;
    helm) out=$("$2" version --short 2>/dev/null) ;;
    kubeconform) out=$("$2" -v 2>/dev/null) ;;
    # "Terraform v1.11.4"
    terraform) out=$(TF_CLI_CONFIG_FILE=/dev/null "$2" version 2>/dev/null) ;;
    # "TFLint version 0.64.0"
    tflint) out=v$("$2" --version 2>/dev/null | sed -n 's/^TFLint version //p') ;;
    # A plugin cannot run alone; tflint lists it with its version ("+ ruleset.aws (0.36.0)") when its
    # directory is the plugin directory and a configuration enables it.
    tflint-ruleset-aws) out=v$(TFLINT_PLUGIN_DIR=$(dirname "$2") "${BIN_DIR}/tflint" \
      --config "${ROOT_DIR}/config/terraform/tflint.hcl" --version 2>/dev/null | sed -n 's/^+ ruleset.aws (\(.*\))$/\1/p') ;;
    terraform-docs) out=$("$2" --version 2>/dev/null) ;;
  esac || return 0
  grep -oE 'v[0-9]+\.[0-9]+\.[0-9]+' <<<"${out}" | head -n 1 || true
}

# estimate TOOL: how long a build from a cold Go cache took on 2 shared cores (measured; seconds when
# the Go caches are warm).
estimate() {
  case "$1" in
    k6 | terraform) echo "1.5 to 3 min" ;;
    helm) echo "about 1.5 min" ;;
    kubectl | tflint | tflint-ruleset-aws) echo "about 1.5 min" ;;
    kind | terraform-docs) echo "about 30 s" ;;
    *) echo "about 10 s" ;;
  esac
}

# go_static GOBIN LDFLAGS PACKAGE@VERSION: go install a small static binary (no libc: it also runs in a
# scratch image), with LDFLAGS added to strip it and stamp its version.
go_static() {
  local gobin="$1" ldflags="$2"
  shift 2
  GOBIN="${gobin}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w ${ldflags}" "$@"
}

# build TOOL VERSION DIR: install TOOL at VERSION into DIR.
build() {
  local tool="$1" version="$2" dir="$3"
  case "${tool}" in
    kind) go_static "${dir}" "" "sigs.k8s.io/kind@${version}" ;;
    k6) go_static "${dir}" "" "go.k6.io/k6@${version}" ;;
    # The module's own version stamp is empty.
    vegeta) go_static "${dir}" "-X main.Version=${version}" "github.com/tsenart/vegeta/v12@${version}" ;;
    # Without the stamp helm says "v4.3", the version in its source, not the release.
    helm) go_static "${dir}" "-X helm.sh/helm/v4/internal/version.version=${version}" "helm.sh/helm/v4/cmd/helm@${version}" ;;
    kubeconform) go_static "${dir}" "-X main.version=${version}" "github.com/yannh/kubeconform/cmd/kubeconform@${version}" ;;
    kubectl) build_kubectl "${version}" "${dir}" ;;
    terraform) build_terraform "${version}" "${dir}" ;;
    tflint) go_static "${dir}" "" "github.com/terraform-linters/tflint@${version}" ;;
    tflint-ruleset-aws) build_module "${dir}" "${tool}" "github.com/terraform-linters/tflint-ruleset-aws@${version}" ;;
    terraform-docs) build_module "${dir}" "${tool}" "github.com/terraform-docs/terraform-docs@${version}" ;;
  esac
}

# build_module DIR NAME MODULE@VERSION: build the main package at the root of MODULE, in a copy of its
# source. `go install MODULE@VERSION` also asks the proxy for MODULE's list of versions (to report a
# deprecation), which the proxy here refuses (403) for these modules although it serves the version itself.
build_module() {
  local dir="$1" name="$2" source work
  source=$(go mod download -json "$3" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "${source}" ] || {
    log "go mod download $3 gave no source directory"
    return 1
  }
  work=$(mktemp -d "${dir}/src.XXXXXX")
  cp -R "${source}/." "${work}"
  chmod -R u+w "${work}"
  (cd "${work}" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${dir}/${name}" .) || {
    rm -rf "${work}"
    return 1
  }
  rm -rf "${work}"
}

# build_terraform VERSION DIR: Terraform's go.mod replaces nine nested modules (internal/backend/remote-state/*,
# internal/legacy) with their directories, which the module zip leaves out, so neither `go install` nor a
# build of the zip alone works. The proxy serves each nested module at the release's commit (a pseudo-version
# stamped with the tag's time and commit): put them where the replace directives look, and build as the
# release does (version.dev=no drops the "-dev" suffix). Its `godebug tlskyber=0` (disable post-quantum key
# exchange; Go 1.24 renamed the setting) becomes `tlsmlkem=0`, which newer Go requires and which means the same.
build_terraform() {
  local version="$1" dir="$2" stamp proxy pseudo source work nested
  source=$(go mod download -json "github.com/hashicorp/terraform@${version}" | jq -r .Dir) || return 1
  # The release's pseudo-version: the proxy lists it for each nested module; its timestamp is the tag's.
  stamp=$(go list -m -json "github.com/hashicorp/terraform@${version}" | jq -r .Time | sed 's/[-:TZ]//g')
  proxy=$(go env GOPROXY | cut -d, -f1)
  pseudo=$(curl -fsS "${proxy}/github.com/hashicorp/terraform/internal/legacy/@v/list" | grep "^v0\.0\.0-${stamp}-") || {
    log "the Go module proxy (${proxy}) lists no nested module of terraform at ${version}'s commit (time ${stamp})"
    return 1
  }
  work=$(mktemp -d "${dir}/src.XXXXXX")
  cp -R "${source}/." "${work}"
  chmod -R u+w "${work}"
  while read -r nested; do
    source=$(go mod download -json "${nested}@${pseudo}" | jq -r .Dir) || return 1
    mkdir -p "${work}/${nested#github.com/hashicorp/terraform/}"
    cp -R "${source}/." "${work}/${nested#github.com/hashicorp/terraform/}"
  done < <(awk '$1 == "replace" && $4 ~ /^\.\// { print $2 }' "${work}/go.mod")
  chmod -R u+w "${work}"
  sed -i 's/^godebug tlskyber=0$/godebug tlsmlkem=0/' "${work}/go.mod"
  (cd "${work}" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/hashicorp/terraform/version.dev=no" \
    -o "${dir}/terraform" .) || {
    rm -rf "${work}"
    return 1
  }
  rm -rf "${work}"
}

# build_kubectl VERSION DIR: kubectl's main package lives in k8s.io/kubernetes, which cannot be built as a
# dependency (its go.mod replaces the staging modules with local paths). Its code is k8s.io/kubectl,
# published as v0.X.Y for Kubernetes v1.X.Y: a three-line main over it, stamped with the version as
# Kubernetes' own build does, is the same client.
build_kubectl() {
  local version="$1" dir="$2" module minor stamps="" key value
  module=$(mktemp -d)
  minor="${version#v1.}"
  minor="${minor%%.*}"
  cat >"${module}/main.go" <<'EOF'
// kubectl, as cmd/kubectl of k8s.io/kubernetes builds it. Generated by scripts/tools.sh.
package main

import (
	"os"

	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	os.Exit(cli.Run(cmd.NewDefaultKubectlCommand()))
}
EOF
  for key in gitVersion=${version} gitMajor=1 gitMinor=${minor}; do
    value="${key#*=}"
    key="${key%%=*}"
    stamps+=" -X k8s.io/component-base/version.${key}=${value} -X k8s.io/client-go/pkg/version.${key}=${value}"
  done
  # Called from a `||` list, where errexit does not apply: every command checks its own result.
  (
    cd "${module}" &&
      go mod init users-info.local/kubectl 2>"${module}/go.log" &&
      go get "k8s.io/kubectl@v0.${version#v1.}" "k8s.io/component-base@v0.${version#v1.}" \
        "k8s.io/client-go@v0.${version#v1.}" 2>>"${module}/go.log" &&
      go mod tidy 2>>"${module}/go.log" ||
      { cat "${module}/go.log" >&2; exit 1; }
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w${stamps}" -o "${dir}/kubectl" .
  ) || {
    rm -rf "${module}"
    return 1
  }
  rm -rf "${module}"
}

# install_go_tool TOOL VERSION: build into a temporary GOBIN next to $BIN_DIR, check, move into place.
install_go_tool() {
  local tool="$1" version="$2" got lock_fd
  # Another checkout may be building the same tool right now: wait for it, then look again.
  mkdir -p "${CACHE_DIR}/locks"
  exec {lock_fd}>"${CACHE_DIR}/locks/build-${tool}"
  flock "${lock_fd}"
  [ "$(reported "${tool}" "${BIN_DIR}/${tool}")" != "${version}" ] || return 0
  # Not local: the EXIT trap runs after this function returned (steps run in a subshell).
  WORK=$(mktemp -d "${CACHE_DIR}/build-${tool}.XXXXXX")
  trap 'rm -rf "${WORK}"' EXIT
  heartbeat "building ${tool} ${version}" build "${tool}" "${version}" "${WORK}" ||
    die "building ${tool} ${version} failed" "read the go output above; 'go env GOPROXY' must reach the Go module proxy"
  got=$(reported "${tool}" "${WORK}/${tool}")
  [ "${got}" = "${version}" ] ||
    die "the ${tool} just built says it is '${got:-no version}', not ${version}" "check its version stamp in scripts/tools.sh"
  mv -f "${WORK}/${tool}" "${BIN_DIR}/${tool}"
}

go_tool() {
  local tool="$1" version have
  version=$(pinned "${tool}")
  have=$(reported "${tool}" "${BIN_DIR}/${tool}")
  if [ "${have}" != "${version}" ]; then
    log "  ${tool}: ${have:-not installed}, pinned ${version}: building it ($(estimate "${tool}") with a cold Go cache)"
    need_cmd go "install Go 1.21 or newer (https://go.dev/dl); it fetches the Go toolchain the modules ask for through the Go module proxy"
    step "Build ${tool} ${version} into ${BIN_DIR}" install_go_tool "${tool}" "${version}"
  fi
  log "✔ ${tool} ${version} (${BIN_DIR}/${tool})"
}

# deb_version TOOL BINARY: the version a Prometheus-style --version prints ("promtool, version 2.42.0+ds ...").
deb_version() {
  { "$2" --version 2>&1 || true; } | sed -n 's/^.*, version \([^ ]*\).*$/\1/p' | head -n 1
}


# install_deb_tool TOOL PACKAGE: copy /usr/bin/TOOL out of PACKAGE's .deb into $BIN_DIR. Installing the
# package instead would add a system user and a Prometheus/Alertmanager service (started and enabled at
# boot on systemd hosts); the tests need only the command-line tools.
install_deb_tool() {
  local tool="$1" deb
  deb=$(fetch_deb "$2")
  # Not local: the EXIT trap runs after this function returned (steps run in a subshell).
  WORK=$(mktemp -d "${CACHE_DIR}/deb-${tool}.XXXXXX")
  trap 'rm -rf "${WORK}"' EXIT
  dpkg-deb --fsys-tarfile "${deb}" | tar -x -C "${WORK}" "./usr/bin/${tool}"
  [ -n "$(deb_version "${tool}" "${WORK}/usr/bin/${tool}")" ] ||
    die "${tool} from ${deb##*/} does not run" "try 'dpkg-deb -x ${deb} DIR' and 'DIR/usr/bin/${tool} --version'"
  mv -f "${WORK}/usr/bin/${tool}" "${BIN_DIR}/${tool}"
}

deb_tool() {
  local tool="$1" package version
  case "${tool}" in
    promtool) package=prometheus ;;
    amtool) package=prometheus-alertmanager ;;
  esac
  version=$(deb_version "${tool}" "${BIN_DIR}/${tool}")
  if [ -z "${version}" ]; then
    step "Extract ${tool} from Debian's ${package} package into ${BIN_DIR}" install_deb_tool "${tool}" "${package}"
    version=$(deb_version "${tool}" "${BIN_DIR}/${tool}")
  fi
  log "✔ ${tool} ${version} (Debian ${package}; ${BIN_DIR}/${tool})"
}

[ "$#" -gt 0 ] || set -- "${GO_TOOLS[@]}" "${DEB_TOOLS[@]}"
for tool in "$@"; do
  case " ${GO_TOOLS[*]} " in
    *" ${tool} "*) go_tool "${tool}" ;;
    *)
      case " ${DEB_TOOLS[*]} " in
        *" ${tool} "*) deb_tool "${tool}" ;;
        *) die "unknown tool ${tool}" "choose among: ${GO_TOOLS[*]} ${DEB_TOOLS[*]}" ;;
      esac
      ;;
  esac
done
