#!/usr/bin/env bash
# Builds the service's base image (Jib's from.image) without any registry: a jlink'd JDK 25 runtime,
# glibc from Debian, a CA bundle and a non-root user, no shell. Rebuilt only when its recipe changes.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=rootfs.sh
source "$(dirname "${BASH_SOURCE[0]}")/rootfs.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
# What Micronaut (Netty, serde, management, its JFR request events), Logback (XML config), the AWS SDK
# (Apache HttpClient 5 needs jdk.net's socket options) and JMX need, checked with
# `jdeps --print-module-deps` on the runtime class path. java.desktop (12 MB) is referenced only by code
# paths this service never takes (java.beans in Groovy routes and Log4j2 metrics), so it stays out.
MODULES="${USERS_INFO_JRE_MODULES:-java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.zipfs}"
JAVA_DIR=/opt/java/openjdk
APP_ID=65532

JDK=$("${ROOT_DIR}/scripts/jdk.sh")
"${ROOT_DIR}/scripts/docker-engine.sh"

recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${ROOTFS_HELPERS}" <(printf '%s\n' "${MODULES}") "${JDK}/release")
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/jre.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
ROOTFS="${WORK}/rootfs"
mkdir -p "${ROOTFS}/opt/java"

jlink_runtime() {
  "${JDK}/bin/jlink" --add-modules "${MODULES}" --output "${ROOTFS}${JAVA_DIR}" \
    --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive >/dev/null
  # The archive for uncompressed oops serves only heaps of 32 GB and more: 14 MB for nothing here.
  rm -f "${ROOTFS}${JAVA_DIR}/lib/server/classes_nocoops.jsa"
}

# glibc from Debian (the packages owning what the runtime links against: libc6 for Temurin; a
# distribution JDK would add zlib1g and others), the C.UTF-8 locale, CA bundle and user app.
add_system_files() {
  local deb
  rootfs_add_libraries "${ROOTFS}"
  # C.UTF-8 (400 kB, from libc-bin) keeps non-ASCII file names and System.out intact.
  deb=$(fetch_deb libc-bin)
  dpkg-deb --fsys-tarfile "${deb}" | tar -x -C "${ROOTFS}" ./usr/lib/locale/C.utf8
  rootfs_add_base "${ROOTFS}" app app "${APP_ID}" /home/app
}

import_image() {
  local version
  version=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "${JDK}/release")
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change "ENV JAVA_HOME=${JAVA_DIR}" \
    --change "ENV PATH=${JAVA_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change "USER ${APP_ID}:${APP_ID}" \
    --change "WORKDIR /home/app" \
    --change "LABEL users-info.recipe=${recipe} users-info.java.version=${version} users-info.jre.modules=${MODULES}" \
    - >"${WORK}/id"
}

# Checked before tagging, so a broken build never looks up to date.
smoke_test() {
  local id out
  id=$(cat "${WORK}/id")
  # -Xshare:on fails unless the CDS archive maps; --read-only is how the service runs.
  out=$(docker run --rm --read-only --user "${APP_ID}" "${id}" java -Xshare:on -version 2>&1) ||
    die "java does not start in the image: ${out}" "docker run --rm ${id} java -version"
  grep -q 'version "25' <<<"${out}" || die "the image's java is not 25: ${out}" "check ${JDK}/release"
  out=$(docker run --rm --read-only --user "${APP_ID}" "${id}" java -XX:+PrintFlagsFinal -version 2>&1)
  grep -Eq 'UseContainerSupport +=[ ]+true' <<<"${out}" ||
    die "the JVM in the image does not detect container limits" "docker run --rm ${id} java -XX:+PrintFlagsFinal -version | grep UseContainerSupport"
}

step "jlink a JDK $(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "${JDK}/release") runtime from ${JDK}" jlink_runtime
step "Add glibc, CA bundle and user ${APP_ID} from Debian" add_system_files
step "Import ${IMAGE} (recipe ${recipe})" import_image
step "Smoke-test java in the image" smoke_test
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
