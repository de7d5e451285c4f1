# shellcheck shell=bash
# Helpers for image recipes that assemble a minimal root filesystem from Debian packages, without a base
# image: the shared libraries a program links against (found with ldd, owned by Debian packages), a CA
# bundle, os-release, and the accounts a non-root image needs. Sourced by scripts/images/*.sh after lib.sh.
# Recipes put this file among their recipe_hash inputs (ROOTFS_HELPERS), so a change here rebuilds them.

# shellcheck disable=SC2034 # read by the recipes that source this file
ROOTFS_HELPERS="${BASH_SOURCE[0]}"

# rootfs_library_packages ROOTFS: the Debian packages owning the shared libraries that the programs and
# libraries under ROOTFS link against (ldd on this machine, which must be Debian). A library missing
# here is fine when ROOTFS carries it itself (a JVM's libjvm.so is found through its launcher).
rootfs_library_packages() {
  local rootfs="$1" file line lib path pkg
  find "${rootfs}" -type f \( -name '*.so*' -o -perm -u+x \) | while read -r file; do
    # Static programs and scripts are "not a dynamic executable": nothing to add for them.
    ldd "${file}" 2>/dev/null || true
  done | sed 's/ (0x[0-9a-f]*)$//' | sort -u | while read -r line; do
    case "${line}" in
      *"=> not found"*)
        lib="${line%% *}"
        [ -n "$(find "${rootfs}" -name "${lib}" -print -quit)" ] ||
          die "${lib} is needed by a program of the image but is neither in it nor on this machine" \
            "run ldd on the image's programs (under ${rootfs}) to see which one"
        continue
        ;;
      *"=> /"*) path="${line#*=> }" ;;
      /*) path="${line}" ;;
      *) continue ;;
    esac
    [[ "${path}" != "${rootfs}"* ]] || continue
    pkg=$(dpkg-query -S "${path}" 2>/dev/null || dpkg-query -S "$(readlink -f "${path}")" 2>/dev/null) ||
      die "no Debian package owns ${path}" "an image can only take its libraries from Debian packages"
    echo "${pkg%%:*}"
  done | sort -u
}

# rootfs_add_libraries ROOTFS: unpack those packages into ROOTFS, keeping only their libraries: no
# documentation, programs, or iconv modules (neither Go nor Java programs load them). Each package is
# declared in /var/lib/dpkg/status.d as distroless does, so image scanners see which glibc is inside.
rootfs_add_libraries() {
  local rootfs="$1" pkgs pkg deb stage
  pkgs=$(rootfs_library_packages "${rootfs}")
  # Next to ROOTFS, so the recipe's clean-up of its work directory removes it too.
  stage=$(mktemp -d "${rootfs%/}.libs.XXXXXX")
  for pkg in ${pkgs}; do
    deb=$(fetch_deb "${pkg}")
    dpkg-deb -x "${deb}" "${stage}"
    rootfs_declare "${rootfs}" "${deb}"
  done
  rm -rf "${stage:?}"/usr/lib/*/gconv "${stage:?}"/{usr/libexec,usr/share,usr/bin,usr/sbin,bin,sbin}
  cp -a "${stage}/." "${rootfs}/"
  rm -rf "${stage}"
}

# rootfs_declare ROOTFS DEB: record that files of the Debian package DEB are in the image.
rootfs_declare() {
  mkdir -p "$1/var/lib/dpkg/status.d"
  dpkg-deb -f "$2" >"$1/var/lib/dpkg/status.d/$(dpkg-deb -f "$2" Package)"
}

# rootfs_add_base ROOTFS USER GROUP ID HOME: what every image needs around its program: the CA bundle
# (TLS to anything), os-release, name resolution through /etc/hosts then DNS, a writable /tmp, and the
# accounts root and USER:GROUP with uid = gid = ID, no shell. HOME is created owned by USER unless it
# is /nonexistent (Debian's home for nobody).
rootfs_add_base() {
  local rootfs="$1" user="$2" group="$3" id="$4" home="$5"
  apt_install ca-certificates
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "${rootfs}/etc/ssl/certs/ca-certificates.crt"
  install -m 0644 /usr/lib/os-release "${rootfs}/etc/os-release"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\n%s:x:%s:%s:%s:%s:/usr/sbin/nologin\n' \
    "${user}" "${id}" "${id}" "${user}" "${home}" >"${rootfs}/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\n' "${group}" "${id}" >"${rootfs}/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"${rootfs}/etc/nsswitch.conf"
  [ "${home}" = /nonexistent ] || install -d -m 0755 -o "${id}" -g "${id}" "${rootfs}${home}"
  install -d -m 1777 "${rootfs}/tmp"
}

# rootfs_candidates PACKAGE...: "package=version" of the Debian candidates, in one apt-cache call (an
# up-to-date check must stay fast; the .debs are downloaded only to build). Updates the apt lists once
# when some package is unknown.
rootfs_candidates() {
  local out
  out=$(apt-cache show --no-all-versions "$@" 2>/dev/null | awk '/^Package:/ { p = $2 } /^Version:/ { print p "=" $2 }') || true
  if [ "$(grep -c = <<<"${out}")" -ne "$#" ]; then
    [ "$(id -u)" -eq 0 ] || die "apt does not know all of $*" "run 'sudo apt-get update', then rerun $0"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    out=$(apt-cache show --no-all-versions "$@" 2>/dev/null | awk '/^Package:/ { p = $2 } /^Version:/ { print p "=" $2 }') || true
    [ "$(grep -c = <<<"${out}")" -eq "$#" ] ||
      die "apt does not know all of $* (it knows: $(tr '\n' ' ' <<<"${out}"))" "check 'apt-cache policy PACKAGE' and the apt sources"
  fi
  echo "${out}"
}

# rootfs_version_matches_tag PACKAGE=VERSION IMAGE: the image's tag must be the upstream version of the
# Debian package it is built from (2.42.0 for 2.42.0+ds-5+deb12u1), so the name never claims another one.
rootfs_version_matches_tag() {
  local package="${1%%=*}" version="${1#*=}" tag="${2##*:}"
  version="${version#*:}"
  version="${version%%[+~-]*}"
  [ "${version}" = "${tag}" ] ||
    die "Debian's ${package} is ${version}, but the image is named $2" \
      "rename the image in scripts/images.sh (and its upstream default in config/images.defaults.properties) to ${version}"
}

# rootfs_wait_for_log CONTAINER PATTERN SECONDS: wait until CONTAINER logs a line matching PATTERN (ERE).
rootfs_wait_for_log() {
  local deadline=$((SECONDS + $3))
  until docker logs "$1" 2>&1 | grep -Eq "$2"; do
    [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] ||
      die "$1 stopped before logging '$2': $(docker logs "$1" 2>&1 | tail -n 20)" "docker logs $1"
    [ "${SECONDS}" -lt "${deadline}" ] ||
      die "$1 did not log '$2' within $3 s: $(docker logs "$1" 2>&1 | tail -n 20)" "docker logs $1"
    sleep 0.2
  done
}

# rootfs_debian_begin IMAGE PACKAGE [PACKAGE...]: the start of a recipe that builds IMAGE from Debian
# packages, PACKAGE first being the one whose upstream version the tag must name. Sets CANDIDATES (the
# "package=version" lines), VERSION (PACKAGE's), recipe (hash of the calling script, these helpers and the
# candidates), and WORK (a temporary directory, removed on exit) with STAGE and ROOTFS in it; exits when
# IMAGE is already current.
rootfs_debian_begin() {
  local image="$1" package="$2"
  shift
  "${ROOT_DIR}/scripts/docker-engine.sh"
  CANDIDATES=$(rootfs_candidates "$@")
  VERSION=$(sed -n "s/^${package}=//p" <<<"${CANDIDATES}")
  rootfs_version_matches_tag "${package}=${VERSION}" "${image}"
  recipe=$(recipe_hash "${BASH_SOURCE[1]}" "${ROOTFS_HELPERS}" <(echo "${CANDIDATES}"))
  image_is_current "${image}" "${recipe}" && exit 0
  WORK=$(mktemp -d "${CACHE_DIR}/${package}.XXXXXX")
  STAGE="${WORK}/stage"
  ROOTFS="${WORK}/rootfs"
}

# rootfs_import_server TITLE USER PORT DATA-DIR ENTRYPOINT ARG...: import ROOTFS as a server image that runs
# ENTRYPOINT ARG... as USER in DATA-DIR (a volume), listening on PORT; its ID goes to WORK/id.
rootfs_import_server() {
  local title="$1" user="$2" port="$3" data="$4" entrypoint="$5" cmd
  shift 5
  cmd=$(printf '"%s",' "$@")
  tar -C "${ROOTFS}" --numeric-owner -c . | docker import \
    --change "USER ${user}:${user}" \
    --change "WORKDIR ${data}" \
    --change "EXPOSE ${port}" \
    --change "VOLUME [\"${data}\"]" \
    --change "ENTRYPOINT [\"${entrypoint}\"]" \
    --change "CMD [${cmd%,}]" \
    --change "LABEL users-info.recipe=${recipe} org.opencontainers.image.title=${title} org.opencontainers.image.version=${VERSION}" \
    - >"${WORK}/id"
}
