#!/usr/bin/env bash
# The Go tests of the project's own image sources: gofmt, go vet, go test for each module named.
#   scripts/images/go-test.sh reaper kube-state-metrics
# reaper: protocol parsing, filter logic, connection lifecycle, removals against the real Docker Engine.
# kube-state-metrics: every family as kube-state-metrics writes it (names, labels, types, help), changes
# arriving through the watch, flags as the chart passes them, probes.
# Run by `mvn verify` (load-tests, test phase) and by hand.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ $# -gt 0 ] || die "name the modules to test" "scripts/images/go-test.sh reaper kube-state-metrics"
need_cmd go "install Go 1.25 or newer (https://go.dev/dl): the project's images are built from Go modules in scripts/images"
for module in "$@"; do
  dir="${ROOT_DIR}/scripts/images/${module}"
  [ -f "${dir}/go.mod" ] || die "no Go module at ${dir}" "name a directory of scripts/images that holds a go.mod"
  unformatted=$(cd "${dir}" && gofmt -l .)
  [ -z "${unformatted}" ] || die "not gofmt-formatted in ${module}: ${unformatted}" "gofmt -w scripts/images/${module}"
  (cd "${dir}" && step "go vet (${module})" go vet ./... && step "go test (${module})" go test -count=1 ./...)
done
