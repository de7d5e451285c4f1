#!/bin/bash
# Entry point of the LocalStack image built by scripts/images/localstack.sh, at the path and under the name
# of upstream's (Testcontainers' LocalStack module starts /usr/local/bin/docker-entrypoint.sh itself).
# Upstream's starts a supervisor as root that restarts LocalStack; here LocalStack's runtime is the
# container's only process, under the image's non-root user, so `docker stop` reaches it directly and the
# container ends when it does. It prints "Ready." once it serves, as upstream's does.
set -euo pipefail
exec python3 -m localstack.runtime.main "$@"
