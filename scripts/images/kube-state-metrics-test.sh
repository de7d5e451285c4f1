#!/usr/bin/env bash
# The Go tests of our kube-state-metrics subset (scripts/images/kube-state-metrics): every family as
# kube-state-metrics writes it (names, labels, types, help), changes arriving through the watch, flags as the
# chart passes them, probes. Run by `mvn verify` (load-tests, test phase) and by hand.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

need_cmd go "install Go 1.25 or newer (https://go.dev/dl): kube-state-metrics is built from scripts/images/kube-state-metrics"
cd "${ROOT_DIR}/scripts/images/kube-state-metrics"
unformatted=$(gofmt -l .)
[ -z "${unformatted}" ] || die "not gofmt-formatted: ${unformatted}" "gofmt -w scripts/images/kube-state-metrics"
step "go vet (kube-state-metrics)" go vet ./...
step "go test (kube-state-metrics)" go test -count=1 ./...
