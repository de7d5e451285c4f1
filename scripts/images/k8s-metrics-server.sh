#!/usr/bin/env bash
# Builds the metrics-server image without any registry, as upstream's Dockerfile does: the static binary
# (go install sigs.k8s.io/metrics-server/cmd/metrics-server with CGO_ENABLED=0: a plain go install links it
# against libc, and it then fails in an empty image with "no such file or directory") as the entrypoint of
# an otherwise empty image, user 65534. Rebuilt only when its recipe changes.
#   scripts/images/k8s-metrics-server.sh IMAGE
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../../config/kind/components.versions
source "${ROOT_DIR}/config/kind/components.versions"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
USER_ID=65534

"${ROOT_DIR}/scripts/docker-engine.sh"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" <(printf '%s\n' "${METRICS_SERVER_VERSION}"))
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/metrics-server.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
BINARY="${WORK}/bin/metrics-server"
MODULE=sigs.k8s.io/metrics-server

# Stamped as its Makefile does (client-go's version package, which --version prints); the build date is
# the proxy's time of the tag, so that a rebuild gives the same binary.
build_binary() {
  local date stamp="" key
  need_cmd go "install Go 1.21 or newer (https://go.dev/dl)"
  date=$(go list -m -json "${MODULE}@${METRICS_SERVER_VERSION}" | sed -n 's/^\t"Time": "\(.*\)",$/\1/p')
  for key in gitVersion="${METRICS_SERVER_VERSION}" buildDate="${date}"; do
    stamp+=" -X k8s.io/client-go/pkg/version.${key}"
  done
  GOBIN="${WORK}/bin" CGO_ENABLED=0 heartbeat "building metrics-server ${METRICS_SERVER_VERSION}" \
    go install -trimpath -ldflags "-s -w${stamp}" "${MODULE}/cmd/metrics-server@${METRICS_SERVER_VERSION}" ||
    die "building metrics-server failed" "the Go module proxy must serve it: go list -m -versions ${MODULE}"
}

import_image() {
  local rootfs="${WORK}/rootfs"
  install -D -m 0755 "${BINARY}" "${rootfs}/metrics-server"
  # Its serving certificate is self-signed into a temporary directory unless one is given.
  install -d -m 1777 "${rootfs}/tmp"
  tar -C "${rootfs}" --numeric-owner -c . | docker import \
    --change 'ENTRYPOINT ["/metrics-server"]' \
    --change "USER ${USER_ID}:${USER_ID}" \
    --change "LABEL users-info.recipe=${recipe} users-info.metrics-server.version=${METRICS_SERVER_VERSION}" \
    - >"${WORK}/id"
}

# Starts as a non-root user in a read-only root, as the chart runs it, and reports the pinned version.
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  out=$(docker run --rm --read-only --user "${USER_ID}" "${id}" --version 2>&1) ||
    die "metrics-server does not start in the image: ${out}" "docker run --rm ${id} --version"
  grep -q "${METRICS_SERVER_VERSION}" <<<"${out}" ||
    die "the image's metrics-server says '${out}', not ${METRICS_SERVER_VERSION}" "check the version stamp in scripts/images/k8s-binaries.sh"
}

step "Build metrics-server ${METRICS_SERVER_VERSION}, static (about 1 min with a cold Go cache)" build_binary
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test metrics-server in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
