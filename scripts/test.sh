#!/usr/bin/env bash
# The README's test command: prepares what the test tiers need, then runs every tier (mvn verify).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Find JDK 25" "${ROOT_DIR}/scripts/jdk.sh" >/dev/null
# The image tier builds the service image with Jib and runs it with Testcontainers.
step "Docker Engine (image tier)" "${ROOT_DIR}/scripts/docker-engine.sh"
step "Images the build starts from (make images)" "${ROOT_DIR}/scripts/images.sh"
step "Every test tier (mvn verify)" "${ROOT_DIR}/scripts/mvn.sh" --batch-mode --no-transfer-progress verify ||
  die "a test tier failed" "read the first failure above; reports are under */target/surefire-reports and */target/failsafe-reports"
