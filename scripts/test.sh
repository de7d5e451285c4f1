#!/usr/bin/env bash
# The README's test command (`make test`, .ci/run): prepares the local environment the test tiers run
# against, then runs every tier (mvn verify). Each step is idempotent and reuses what is already there,
# so a second run spends seconds here; the cluster and the emulators stay up afterwards for the next run
# (`make cluster-down emulators-down` removes them).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

step "Prerequisites (make prereqs)" "${ROOT_DIR}/scripts/prereqs.sh"
step "Images (make images)" "${ROOT_DIR}/scripts/images.sh"
step "Kind cluster (make cluster)" "${ROOT_DIR}/scripts/cluster.sh"
step "AWS emulators (make emulators)" "${ROOT_DIR}/scripts/emulators.sh" up
step "Every test tier (mvn verify)" "${ROOT_DIR}/scripts/mvn.sh" --batch-mode --no-transfer-progress verify ||
  die "a test tier failed" "read the first failure above; reports are under */target/surefire-reports and */target/failsafe-reports"
