#!/usr/bin/env bash
# Builds Testcontainers' resource reaper: our own Ryuk-compatible reaper (scripts/images/reaper/, standard
# library Go) as a static binary in a scratch image, used in place of testcontainers/ryuk, whose Go module
# the proxy does not serve. Rebuilt only when its sources change; smoke-tested end to end (a labelled
# volume is registered, the client leaves, the volume is removed) before it is tagged.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
SRC="${ROOT_DIR}/scripts/images/reaper"
BINARY=/usr/local/bin/reaper

need_cmd go "install Go 1.23 or newer (https://go.dev/dl): the reaper is built from scripts/images/reaper"
"${ROOT_DIR}/scripts/docker-engine.sh"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${ROOTFS_HELPERS}" "${SRC}/go.mod" "${SRC}"/*.go <(go env GOVERSION))
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/reaper.XXXXXX")
SMOKE="users-info-reaper-smoke-$$"
cleanup() {
  docker rm -f "${SMOKE}" >/dev/null 2>&1 || true
  docker volume rm "${SMOKE}" >/dev/null 2>&1 || true
  rm -rf "${WORK}"
}
trap cleanup EXIT
ROOTFS="${WORK}/rootfs"

build() {
  (cd "${SRC}" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "${ROOTFS}${BINARY}" .)
}

# Root, like Ryuk: it talks to the Docker socket, which only root (or the host's docker group, whose id
# differs between hosts) may open. It listens on 8080, where Testcontainers expects Ryuk.
import_image() {
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change "ENTRYPOINT [\"${BINARY}\"]" \
    --change "EXPOSE 8080" \
    --change "LABEL users-info.recipe=${recipe} org.opencontainers.image.title=users-info-reaper org.opencontainers.image.description=Ryuk-compatible_resource_reaper_for_Testcontainers" \
    - >"${WORK}/id"
}

# As Testcontainers uses it: start with the socket mounted, wait for "Started", register a filter, get
# ACK, leave; the reaper must then remove the one volume that filter matches, and exit.
smoke_test() {
  local id port fd answer deadline
  id=$(cat "${WORK}/id")
  docker volume create --label "users-info.reaper-smoke=${SMOKE}" "${SMOKE}" >/dev/null
  docker run -d --name "${SMOKE}" -v /var/run/docker.sock:/var/run/docker.sock -p 127.0.0.1::8080 \
    -e RYUK_RECONNECTION_TIMEOUT=1s -e RYUK_CONNECTION_TIMEOUT=30s "${id}" >/dev/null
  deadline=$((SECONDS + 15))
  until docker logs "${SMOKE}" 2>&1 | grep -q 'msg=Started'; do
    [ "${SECONDS}" -lt "${deadline}" ] || die "the reaper did not log Started within 15 s: $(docker logs "${SMOKE}" 2>&1)" "docker run --rm -v /var/run/docker.sock:/var/run/docker.sock ${id}"
    sleep 0.2
  done
  port=$(docker port "${SMOKE}" 8080/tcp | head -n 1)
  port="${port##*:}"
  exec {fd}<>"/dev/tcp/127.0.0.1/${port}"
  printf 'label=users-info.reaper-smoke%%3D%s\n' "${SMOKE}" >&"${fd}"
  read -r -t 5 answer <&"${fd}" || answer="(nothing)"
  exec {fd}>&-
  [ "${answer%$'\r'}" = ACK ] || die "the reaper answered '${answer}' to a filter instead of ACK" "docker logs ${SMOKE}"
  [ "$(timeout 20 docker wait "${SMOKE}")" = 0 ] ||
    die "the reaper did not exit cleanly within 20 s of its client leaving: $(docker logs "${SMOKE}" 2>&1)" "docker logs ${SMOKE}"
  ! docker volume inspect "${SMOKE}" >/dev/null 2>&1 ||
    die "the reaper left the volume its filter matched: $(docker logs "${SMOKE}" 2>&1)" "docker logs ${SMOKE}"
  docker logs "${SMOKE}" 2>&1 | grep -q 'Removed 0 container(s), 0 network(s), 1 volume(s), 0 image(s)' ||
    die "the reaper's summary is not the one expected: $(docker logs "${SMOKE}" 2>&1)" "docker logs ${SMOKE}"
}

step "Build the reaper from ${SRC#"${ROOT_DIR}/"} ($(go env GOVERSION), static)" build
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test the reaper: register a filter, leave, see its volume removed" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
