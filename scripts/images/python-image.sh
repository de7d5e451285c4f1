# shellcheck shell=bash
# Shared by the Python emulator recipes (moto.sh, localstack.sh); sourced, not run.
# python_image IMAGE LOCK HEALTH-URL DOCKERFILE [FILE...]: builds IMAGE FROM the trixie Python base
# (python-base.sh) with a venv installed from config/python/LOCK.txt exactly as scripts/venv.sh installs it
# on the host (`pip install --no-deps -r LOCK`, then `pip check`), plus DOCKERFILE's instructions (a string;
# FILEs are copied into the build context next to it). The image is tagged only once the lock's "# check:"
# line passes in it and a container started with its own entrypoint answers HEALTH-URL (from inside). Nothing happens when IMAGE's recipe label (hash of
# this file, the calling recipe, the lock, the Dockerfile, the FILEs and the base's recipe) is current.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PYTHON_BASE_IMAGE=users-info/python:3.13-trixie
# The venv's location inside the image; its bin/ is first on PATH.
VENV_DIR=/opt/venv

python_image() {
  local image="$1" lock="${ROOT_DIR}/config/python/$2.txt" health_url="$3" dockerfile="$4"
  shift 4
  [ -f "${lock}" ] || die "no lock file ${lock}" "see config/python/"
  "${ROOT_DIR}/scripts/docker-engine.sh"
  step "Python base ${PYTHON_BASE_IMAGE} (scripts/images/python-base.sh)" \
    "${ROOT_DIR}/scripts/images/python-base.sh" "${PYTHON_BASE_IMAGE}"

  local base recipe
  base=$(recipe_of "${PYTHON_BASE_IMAGE}")
  recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${BASH_SOURCE[1]}" "${lock}" "$@" <(printf '%s\n' "${dockerfile}" "${base}"))
  image_is_current "${image}" "${recipe}" && return 0

  local work
  work=$(mktemp -d "${CACHE_DIR}/python-image.XXXXXX")
  # shellcheck disable=SC2064 # expand now: work is local to this function
  trap "rm -rf '${work}'" EXIT
  cp "${lock}" "${work}/requirements.txt"
  # pip trusts what the host trusts (where a TLS-inspecting proxy stands between this machine and PyPI,
  # that includes the proxy's CA). The bundle stays in the build stage; the image keeps Debian's own.
  cp "${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}" "${work}/pip-ca.crt"
  [ "$#" -eq 0 ] || cp "$@" "${work}/"
  cat >"${work}/Dockerfile" <<EOF
FROM ${PYTHON_BASE_IMAGE} AS venv
LABEL users-info.build-stage=${recipe}
COPY requirements.txt pip-ca.crt /tmp/
# The lock is complete, so --no-deps installs exactly it and pip check proves nothing is missing.
RUN python3 -m venv ${VENV_DIR} \\
 && PIP_CERT=/tmp/pip-ca.crt ${VENV_DIR}/bin/pip install --quiet --no-cache-dir --disable-pip-version-check \\
      --no-input --no-deps -r /tmp/requirements.txt \\
 && ${VENV_DIR}/bin/pip check

FROM ${PYTHON_BASE_IMAGE}
COPY --from=venv ${VENV_DIR} ${VENV_DIR}
ENV PATH=${VENV_DIR}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
${dockerfile}
LABEL users-info.recipe=${recipe}
EOF
  # The classic builder takes FROM from the local Docker Engine without asking a registry (BuildKit would).
  step "Build ${image} (recipe ${recipe}; pip installs $(grep -c '==' "${lock}") pinned packages from PyPI)" \
    docker_build "${work}"
  # The build stage (the venv once more, and the host's CA bundle) is of no further use.
  docker image prune --force --filter "label=users-info.build-stage=${recipe}" >/dev/null
  local id old
  id=$(cat "${work}/id")
  step "Smoke-test ${image}: the lock's check, then its entrypoint serving ${health_url}" \
    smoke_test "${id}" "$(sed -n 's/^# check: //p' "${lock}")" "${health_url}" || {
    docker image rm "${id}" >/dev/null
    return 1
  }
  tag_image "${id}" "${image}"
}

# docker_build DIR: the build's steps as progress lines; its whole output only when it fails.
docker_build() {
  DOCKER_BUILDKIT=0 docker build --force-rm --iidfile "$1/id" "$1" 2>&1 | tee "$1/build.log" |
    grep --line-buffered '^Step ' | sed -u 's/^/    /' >&2 || {
    tail -n 30 "$1/build.log" >&2
    return 1
  }
}

# smoke_test IMAGE-ID PYTHON-CHECK HEALTH-URL
smoke_test() {
  local out name="users-info-smoke-$$" rc=0
  out=$(docker run --rm --entrypoint '' "$1" python3 -c "$2" 2>&1) || {
    log "${out}"
    return 1
  }
  log "    ${out}"
  docker run -d --name "${name}" --label users-info.role=smoke-test "$1" >/dev/null
  await_container "${name}" 60 docker exec "${name}" python3 -c "import urllib.request as u; u.urlopen('$3', timeout=2)" || rc=$?
  docker rm -f "${name}" >/dev/null
  return "${rc}"
}

