#!/usr/bin/env bash
# Prints a CPython >= 3.12 (with venv, ensurepip and ssl) on stdout, silently: PYTHON=$(scripts/python.sh)
# LocalStack needs 3.12 or newer; Debian bookworm's python3 is 3.11. Order: $USERS_INFO_PYTHON, then for
# 3.13, 3.12, 3.14 in turn: python3.X on PATH, pyenv's builds, uv's managed builds.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYENV_VERSIONS="${PYENV_ROOT:-${HOME}/.pyenv}/versions"
UV_PYTHONS="${UV_PYTHON_INSTALL_DIR:-${XDG_DATA_HOME:-${HOME}/.local/share}/uv/python}"

# usable PYTHON: 3.12 or newer and able to make a venv with pip and to speak TLS (pip needs both).
usable() {
  [ -x "$1" ] && "$1" -c 'import sys, venv, ensurepip, ssl; sys.exit(sys.version_info < (3, 12))' 2>/dev/null
}

candidates=()
[ -z "${USERS_INFO_PYTHON:-}" ] || candidates+=("${USERS_INFO_PYTHON}")
for minor in 13 12 14; do
  # pyenv's shims fail for versions that are not selected and are slow: its builds are listed below.
  if path=$(command -v "python3.${minor}" 2>/dev/null) && [[ "${path}" != */shims/* ]]; then
    candidates+=("${path}")
  fi
  # Globs that match nothing stay literal and fail `usable`; sort -V puts 3.13.10 before 3.13.9.
  mapfile -t found < <(printf '%s\n' "${PYENV_VERSIONS}/3.${minor}".*/bin/python3 \
    "${UV_PYTHONS}/cpython-3.${minor}".*/bin/python3 | sort -rV)
  candidates+=("${found[@]}")
done

for python in "${candidates[@]}"; do
  if usable "${python}"; then
    printf '%s\n' "${python}"
    exit 0
  fi
done
die "no Python >= 3.12 found (LocalStack needs one; looked at \$USERS_INFO_PYTHON, python3.13/3.12/3.14 on PATH, ${PYENV_VERSIONS}/3.1[234].*, ${UV_PYTHONS}/cpython-3.1[234].*)" \
  "install one: 'apt-get install python3.13-venv' (Debian 13) or 'apt-get install python3.12-venv' (Ubuntu 24.04), or 'pyenv install 3.13', or 'uv python install 3.13'; or set USERS_INFO_PYTHON=/path/to/python3.12+"
