#!/usr/bin/env bash
# Builds a DynamoDB Local image (AWS's own emulator, com.amazonaws:DynamoDBLocal from Maven Central at the
# version the root pom pins) on a jlink'd JDK 25 runtime made by scripts/images/jre.sh. Same contract as
# amazon/dynamodb-local, so scripts treat both alike: WORKDIR /home/dynamodblocal, ENTRYPOINT ["java"],
# CMD ["-jar", "DynamoDBLocal.jar", "-inMemory"], port 8000, no health check in the image (ListTables
# answers once it serves). Runs as uid 65532, with no shell in the image.
#   scripts/images/dynamodb-local.sh IMAGE   (a row of `make images`)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
POM="${ROOT_DIR}/config/emulators/dynamodb-local/pom.xml"
# The service's runtime lacks java.desktop, but DynamoDB Local's Log4j 2 fires java.beans events when it
# configures itself (NoClassDefFoundError: java/beans/PropertyChangeEvent on the service's base), so this
# image gets its own runtime: what `jdeps --print-module-deps` reports for DynamoDB Local and its
# dependencies, plus java.xml (Log4j's XML configuration) and jdk.crypto.ec.
JRE_MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.unsupported
JRE_IMAGE=users-info/jre:25-dynamodb-local
HOME_DIR=/home/dynamodblocal
MAIN_CLASS=com.amazonaws.services.dynamodbv2.local.main.ServerRunner

"${ROOT_DIR}/scripts/docker-engine.sh"
JDK=$("${ROOT_DIR}/scripts/jdk.sh")
step "JDK 25 runtime ${JRE_IMAGE} (scripts/images/jre.sh with DynamoDB Local's modules)" \
  env USERS_INFO_JRE_MODULES="${JRE_MODULES}" "${ROOT_DIR}/scripts/images/jre.sh" "${JRE_IMAGE}"

version=$(sed -n 's:.*<dynamodb-local.version>\(.*\)</dynamodb-local.version>.*:\1:p' "${ROOT_DIR}/pom.xml")
[ -n "${version}" ] || die "no <dynamodb-local.version> in pom.xml" "the root pom pins DynamoDB Local's version there"
base=$(recipe_of "${JRE_IMAGE}")
recipe=$(recipe_hash "${BASH_SOURCE[0]}" "${POM}" "${ROOT_DIR}/pom.xml" <(printf '%s\n' "${base}"))
image_is_current "${IMAGE}" "${recipe}" && exit 0

WORK=$(mktemp -d "${CACHE_DIR}/dynamodb-local.XXXXXX")
trap 'rm -rf "${WORK}"' EXIT
LIB="${WORK}/context/DynamoDBLocal_lib"

# DynamoDB Local and its runtime dependencies, with sqlite4java's native library for linux/amd64 next to
# sqlite4java's jar, where sqlite4java looks first.
copy_jars() {
  JAVA_HOME="${JDK}" PATH="${JDK}/bin:${PATH}" "${ROOT_DIR}/mvnw" --batch-mode --quiet -f "${POM}" \
    dependency:copy-dependencies -DoutputDirectory="${LIB}" >&2 ||
    die "Maven could not resolve DynamoDB Local ${version} and its dependencies" "run '${ROOT_DIR}/mvnw -f ${POM} dependency:tree'"
  log "    $(find "${LIB}" -type f | wc -l) files, $(du -sh "${LIB}" | cut -f1)"
}

# The Maven Central jar's manifest lists the jar names of AWS's zip distribution, so `java -jar` on it
# finds none of Maven's. DynamoDBLocal.jar in the image is therefore a jar holding only a manifest: the
# main class and a Class-Path of the jars as Maven names them (manifest lines fold at 72 bytes).
launcher_jar() {
  local classpath
  classpath=$(cd "${LIB}" && find . -name '*.jar' -printf 'DynamoDBLocal_lib/%P ' | sort)
  {
    printf 'Main-Class: %s\n' "${MAIN_CLASS}"
    # sqlite4java loads its native library through JNI; JDK 25 warns unless the jar allows it.
    printf 'Enable-Native-Access: ALL-UNNAMED\n'
    printf 'Class-Path: %s\n' "${classpath% }" | fold -w 70 | sed '1!s/^/ /'
  } >"${WORK}/manifest"
  "${JDK}/bin/jar" --create --file "${WORK}/context/DynamoDBLocal.jar" --manifest "${WORK}/manifest"
}

build_image() {
  cat >"${WORK}/context/Dockerfile" <<EOD
FROM ${JRE_IMAGE}
WORKDIR ${HOME_DIR}
COPY DynamoDBLocal.jar ${HOME_DIR}/
COPY DynamoDBLocal_lib ${HOME_DIR}/DynamoDBLocal_lib/
EXPOSE 8000
ENTRYPOINT ["java"]
CMD ["-jar", "DynamoDBLocal.jar", "-inMemory"]
LABEL users-info.recipe=${recipe} users-info.dynamodb-local.version=${version}
EOD
  # The classic builder takes FROM from the local Docker Engine without asking a registry (BuildKit would).
  DOCKER_BUILDKIT=0 docker build --force-rm --quiet --iidfile "${WORK}/id" "${WORK}/context" >/dev/null 2>"${WORK}/build.log" || {
    cat "${WORK}/build.log" >&2
    return 1
  }
}

# The image's own command serves ListTables (signed, as an SDK would) on a port published for the test.
smoke_test() {
  local name="users-info-smoke-$$" port rc=0
  docker run -d --name "${name}" --label users-info.role=smoke-test -p 127.0.0.1::8000 "$(cat "${WORK}/id")" >/dev/null
  port=$(docker port "${name}" 8000/tcp | head -n 1 | sed 's/.*://')
  await_container "${name}" 30 curl -sf --aws-sigv4 aws:amz:us-east-1:dynamodb --user test:test \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' -H 'Content-Type: application/x-amz-json-1.0' -d '{}' \
    "http://127.0.0.1:${port}/" || rc=$?
  docker rm -f "${name}" >/dev/null
  return "${rc}"
}

step "Resolve DynamoDB Local ${version} and its dependencies (Maven Central)" copy_jars
step "Write the DynamoDBLocal.jar launcher" launcher_jar
step "Build ${IMAGE} (recipe ${recipe})" build_image
step "Smoke-test ${IMAGE}: ListTables" smoke_test || {
  docker image rm "$(cat "${WORK}/id")" >/dev/null
  exit 1
}
tag_image "$(cat "${WORK}/id")" "${IMAGE}"
