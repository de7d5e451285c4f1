#!/usr/bin/env bash
# Builds the service's base image (Jib's from.image) without any registry: a jlink'd JDK 25 runtime,
# glibc from Debian, a CA bundle and a non-root user, no shell. Rebuilt only when its recipe changes.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

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

recipe=$(recipe_hash "${BASH_SOURCE[0]}" <(printf '%s\n' "${MODULES}") "${JDK}/release")
image_size() { docker image inspect -f '{{.Size}}' "${IMAGE}" | awk '{ printf "%.1f MB", $1 / 1e6 }'; }
if [ "$(docker image inspect -f '{{index .Config.Labels "users-info.recipe"}}' "${IMAGE}" 2>/dev/null)" = "${recipe}" ]; then
  log "✔ ${IMAGE} is up to date (recipe ${recipe}, $(image_size))"
  exit 0
fi

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

# Debian packages providing the shared libraries the runtime links against (libc6 for Temurin;
# a distribution JDK would add zlib1g and others), found with ldd on the host.
runtime_packages() {
  local file line lib path pkg
  find "${ROOTFS}${JAVA_DIR}" -type f \( -name '*.so' -o -perm -u+x \) | while read -r file; do
    ldd "${file}" 2>/dev/null || true
  done | sed 's/ (0x[0-9a-f]*)$//' | sort -u | while read -r line; do
    case "${line}" in
      *"=> not found"*)
        # libjvm.so and friends are found at run time through the launcher, not the loader.
        lib="${line%% *}"
        [ -n "$(find "${ROOTFS}${JAVA_DIR}" -name "${lib}" -print -quit)" ] ||
          die "${lib} (needed by the runtime) is not on this machine" "check 'ldd ${JDK}/lib/server/libjvm.so'"
        continue
        ;;
      *"=> /"*) path="${line#*=> }" ;;
      /*) path="${line}" ;;
      *) continue ;;
    esac
    [[ "${path}" != "${ROOTFS}"* ]] || continue
    pkg=$(dpkg-query -S "${path}" 2>/dev/null || dpkg-query -S "$(readlink -f "${path}")" 2>/dev/null) ||
      die "no Debian package owns ${path}" "the runtime image can only take libraries from Debian packages"
    echo "${pkg%%:*}"
  done | sort -u
}


add_system_files() {
  local pkgs pkg deb
  pkgs=$(runtime_packages)
  for pkg in ${pkgs}; do
    deb=$(fetch_deb "${pkg}")
    dpkg-deb -x "${deb}" "${ROOTFS}"
    # Declared like distroless does, so image scanners see which glibc is inside.
    mkdir -p "${ROOTFS}/var/lib/dpkg/status.d"
    dpkg-deb -f "${deb}" >"${ROOTFS}/var/lib/dpkg/status.d/${pkg}"
  done
  # Java uses neither iconv modules nor helper programs; docs are dead weight.
  rm -rf "${ROOTFS:?}"/usr/lib/*/gconv "${ROOTFS:?}"/{usr/libexec,usr/share,usr/bin,sbin}
  # C.UTF-8 (400 kB, from libc-bin) keeps non-ASCII file names and System.out intact.
  deb=$(fetch_deb libc-bin)
  dpkg-deb --fsys-tarfile "${deb}" | tar -x -C "${ROOTFS}" ./usr/lib/locale/C.utf8
  apt_install ca-certificates
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "${ROOTFS}/etc/ssl/certs/ca-certificates.crt"
  install -m 0644 /usr/lib/os-release "${ROOTFS}/etc/os-release"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\napp:x:%s:%s:app:/home/app:/usr/sbin/nologin\n' \
    "${APP_ID}" "${APP_ID}" >"${ROOTFS}/etc/passwd"
  printf 'root:x:0:\napp:x:%s:\n' "${APP_ID}" >"${ROOTFS}/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"${ROOTFS}/etc/nsswitch.conf"
  install -d -m 0755 -o "${APP_ID}" -g "${APP_ID}" "${ROOTFS}/home/app"
  install -d -m 1777 "${ROOTFS}/tmp"
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
old=$(docker image inspect -f '{{.Id}}' "${IMAGE}" 2>/dev/null) || true
docker tag "$(cat "${WORK}/id")" "${IMAGE}"
# The previous build is dangling now; leave it if something still uses it.
[ -z "${old}" ] || [ "${old}" = "$(cat "${WORK}/id")" ] || docker image rm "${old}" >/dev/null 2>&1 || true
log "✔ ${IMAGE} built: $(image_size)"
