#!/usr/bin/env bash
# Builds the base of the Python emulator images (moto, LocalStack) without any registry: a Debian trixie
# minbase root file system (debootstrap) with Debian's python3 (3.13) and the venv module, CA certificates
# and a non-root user; nothing else. Both emulator images start FROM it, so they share its layer on disk.
# Rebuilt only when this recipe changes (the image carries the recipe's hash as a label).
#   scripts/images/python-base.sh IMAGE   (the emulator recipes call it; it is no entry of `make images`)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
SUITE=trixie
MIRROR="${USERS_INFO_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# python3-venv brings ensurepip, which the emulator recipes need to create their venvs.
PACKAGES=python3,python3-venv,ca-certificates
# The same uid as the project's other non-root images (scripts/images/jre.sh).
APP_ID=65532

recipe=$(recipe_hash "${BASH_SOURCE[0]}")
image_is_current "${IMAGE}" "${recipe}" && exit 0
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root to build ${IMAGE}" "run 'sudo $0 ${IMAGE}'"
apt_install debootstrap

WORK=$(mktemp -d "${CACHE_DIR}/python-base.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
ROOTFS="${WORK}/rootfs"

# debootstrap prints a line per package; only its phases are shown (the whole log stays in WORK on failure).
bootstrap() {
  debootstrap --variant=minbase --include="${PACKAGES}" "${SUITE}" "${ROOTFS}" "${MIRROR}" 2>&1 |
    tee "${WORK}/debootstrap.log" |
    grep --line-buffered -E '^(W:|E:|I: (Retrieving (Release|Packages)|Resolving|Checking component|Unpacking the|Configuring the|Base system))' |
    sed -u 's/^/    /' >&2 || {
    tail -n 20 "${WORK}/debootstrap.log" >&2
    return 1
  }
}

# What a container never uses: package caches and lists, documentation, locales other than C.UTF-8.
trim() {
  rm -rf "${ROOTFS:?}"/var/cache/apt/* "${ROOTFS:?}"/var/lib/apt/lists/* "${ROOTFS:?}"/var/log/* \
    "${ROOTFS:?}"/usr/share/doc/* "${ROOTFS:?}"/usr/share/man/* "${ROOTFS:?}"/usr/share/info/* \
    "${ROOTFS:?}"/usr/share/locale/*
  chroot "${ROOTFS}" groupadd --gid "${APP_ID}" app
  chroot "${ROOTFS}" useradd --uid "${APP_ID}" --gid "${APP_ID}" --create-home --home-dir /home/app \
    --shell /usr/sbin/nologin app
}

import_image() {
  local version
  version=$(chroot "${ROOTFS}" python3 -c 'import platform; print(platform.python_version())')
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change "ENV LANG=C.UTF-8" \
    --change "ENV PYTHONUNBUFFERED=1" \
    --change "LABEL users-info.recipe=${recipe} users-info.python.version=${version} users-info.debian.suite=${SUITE}" \
    - >"${WORK}/id"
}

smoke_test() {
  local out
  out=$(docker run --rm --user "${APP_ID}" "$(cat "${WORK}/id")" python3 -c 'import ssl, venv, ensurepip; print(ssl.OPENSSL_VERSION)' 2>&1) ||
    die "python3 does not start in the image: ${out}" "docker run --rm $(cat "${WORK}/id") python3 -V"
}

step "debootstrap --variant=minbase ${SUITE} with ${PACKAGES//,/ }" bootstrap
step "Trim caches and docs, add user ${APP_ID}" trim
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test python3 in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
