#!/usr/bin/env bash
# Prints the home of a JDK 25 (with javac and jlink) on stdout, silently: JAVA_HOME=$(scripts/jdk.sh)
# Order: $JAVA_HOME, the java on PATH, Debian/Adoptium packages, SDKMAN; newest 25.x first.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# is_jdk25 DIR: a full JDK (jlink builds the runtime image, javac the service) whose release file says 25.
is_jdk25() {
  [ -x "$1/bin/jlink" ] && [ -x "$1/bin/javac" ] && grep -q '^JAVA_VERSION="25[."]' "$1/release" 2>/dev/null
}

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("${JAVA_HOME}")
if java_bin=$(command -v java 2>/dev/null); then
  java_bin=$(readlink -f "${java_bin}")
  candidates+=("${java_bin%/bin/java}")
fi
# Globs that match nothing stay literal and fail is_jdk25; sort -V puts 25.0.10 after 25.0.9.
mapfile -t found < <(printf '%s\n' /usr/lib/jvm/*25* "${HOME}"/.sdkman/candidates/java/25* | sort -rV)
candidates+=("${found[@]}")

for dir in "${candidates[@]}"; do
  if is_jdk25 "${dir}"; then
    printf '%s\n' "${dir}"
    exit 0
  fi
done
die "no JDK 25 found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm/*25*, ~/.sdkman/candidates/java/25*)" \
  "install one: apt-get install temurin-25-jdk (Adoptium's apt repository) or 'sdk install java 25-tem', or set JAVA_HOME"
