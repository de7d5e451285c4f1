#!/usr/bin/env bash
# Builds the k6 image Testcontainers' K6Container runs, from the static k6 that `make prereqs` builds
# (scripts/tools.sh k6), honouring grafana/k6's contract: ENTRYPOINT k6 at /usr/bin/k6, user k6 (12345),
# working directory /home/k6 (K6Container copies scripts there), a CA bundle. No shell, no libc.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"
# shellcheck source=../../config/tools.versions
source "${ROOT_DIR}/config/tools.versions"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
K6_ID=12345

"${ROOT_DIR}/scripts/tools.sh" k6
"${ROOT_DIR}/scripts/docker-engine.sh"
K6="${BIN_DIR}/k6"
# ldd fails on a static program ("not a dynamic executable").
! ldd "${K6}" >/dev/null 2>&1 ||
  die "${K6} is not a static binary: it would not run in an image without libc" "rm ${K6} && make prereqs (scripts/tools.sh builds it with CGO_ENABLED=0)"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${ROOTFS_HELPERS}" "${K6}")
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/k6.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
ROOTFS="${WORK}/rootfs"

assemble() {
  install -D -m 0755 "${K6}" "${ROOTFS}/usr/bin/k6"
  rootfs_add_base "${ROOTFS}" k6 k6 "${K6_ID}" /home/k6
}

import_image() {
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change "ENV PATH=/usr/local/bin:/usr/bin:/bin" \
    --change "USER ${K6_ID}:${K6_ID}" \
    --change "WORKDIR /home/k6" \
    --change 'ENTRYPOINT ["k6"]' \
    --change "LABEL users-info.recipe=${recipe} org.opencontainers.image.title=k6 org.opencontainers.image.version=${K6_VERSION}" \
    - >"${WORK}/id"
}

# k6 runs a script as user k6 from its working directory and writes there, as K6Container uses it.
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  out=$(docker run --rm "${id}" version 2>&1) || die "k6 does not start in the image: ${out}" "docker run --rm ${id} version"
  grep -q "k6 ${K6_VERSION} " <<<"${out}" || die "the image's k6 says '${out}', not ${K6_VERSION}" "check ${K6}"
  out=$(docker run --rm -i "${id}" run --quiet --no-usage-report \
    --summary-export=/home/k6/summary.json - <<<'export default function () {}' 2>&1) ||
    die "k6 cannot run a script as user ${K6_ID} in /home/k6: ${out}" "docker run --rm -it ${id} run -"
}

step "Assemble k6 ${K6_VERSION} with user ${K6_ID} and a CA bundle" assemble
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test k6 in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
