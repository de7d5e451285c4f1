#!/usr/bin/env bash
# Runs the project's Maven wrapper on a JDK 25 found by scripts/jdk.sh, whatever the default java is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

JAVA_HOME=$("${ROOT_DIR}/scripts/jdk.sh")
export JAVA_HOME
export PATH="${JAVA_HOME}/bin:${PATH}"
exec "${ROOT_DIR}/mvnw" -f "${ROOT_DIR}/pom.xml" "$@"
