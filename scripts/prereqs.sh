#!/usr/bin/env bash
# make prereqs: everything the local environment needs on this machine, installed only when it is
# missing or not at its pinned version; one ✔ line per tool. With nothing to do it takes about a second.
#   JDK 25 and a Python >= 3.12   found (scripts/jdk.sh, scripts/python.sh), or stop saying what to install
#   Docker Engine                 scripts/docker-engine.sh
#   kind k6 kubectl helm kubeconform promtool amtool   scripts/tools.sh (versions: config/tools.versions)
#   Python venvs for LocalStack and moto                scripts/venv.sh (locks: config/python/*.txt)
#   ShellCheck                    Debian package (shellcheck)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$(date +%s.%N)

# What cannot be installed from here is looked for first, so a missing one stops the run at once.
jdk=$("${ROOT_DIR}/scripts/jdk.sh")
log "✔ JDK $(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "${jdk}/release") (${jdk})"
USERS_INFO_PYTHON=$("${ROOT_DIR}/scripts/python.sh")
export USERS_INFO_PYTHON # venv.sh takes it from here instead of searching again
log "✔ $("${USERS_INFO_PYTHON}" -V) (${USERS_INFO_PYTHON})"

"${ROOT_DIR}/scripts/docker-engine.sh"
log "✔ Docker Engine $(docker version --format '{{.Server.Version}}') (default runtime $(docker info --format '{{.DefaultRuntime}}'))"

"${ROOT_DIR}/scripts/tools.sh"

for name in localstack moto; do
  venv=$("${ROOT_DIR}/scripts/venv.sh" "${name}")
  log "✔ ${name} $(cat "${venv}/users-info.version") (venv ${venv})"
done

apt_install shellcheck
log "✔ shellcheck $(shellcheck --version | sed -n 's/^version: //p') (Debian)"

# The end-to-end report's plots (XChart, Java2D) need a font; a minimal machine has none.
apt_install fontconfig fonts-dejavu-core
log "✔ fonts for the report's plots: $(fc-list | wc -l) (fontconfig, fonts-dejavu-core)"

log "✔ prerequisites ready in $(awk -v s="${start}" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
