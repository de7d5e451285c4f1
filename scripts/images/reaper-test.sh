#!/usr/bin/env bash
# The reaper's Go tests (scripts/images/reaper): protocol parsing, filter logic, connection lifecycle, and
# removals against the real Docker Engine. Run by `mvn verify` (load-tests, test phase) and by hand.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

need_cmd go "install Go 1.23 or newer (https://go.dev/dl): the reaper is built from scripts/images/reaper"
cd "${ROOT_DIR}/scripts/images/reaper"
unformatted=$(gofmt -l .)
[ -z "${unformatted}" ] || die "not gofmt-formatted: ${unformatted}" "gofmt -w scripts/images/reaper"
step "go vet (reaper)" go vet ./...
step "go test (reaper)" go test -count=1 ./...
