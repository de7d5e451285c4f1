#!/usr/bin/env bash
# Builds a LocalStack community image (localstack-core, config/python/localstack.txt) from registry
# packages: Debian trixie's Python 3.13 and the locked venv; no auth token. Same contract as
# localstack/localstack, so scripts and Testcontainers' LocalStack module treat both alike: ENTRYPOINT
# /usr/local/bin/docker-entrypoint.sh, port 4566 on 0.0.0.0, "Ready." on stdout, GET /_localstack/health
# (also the image's HEALTHCHECK), state under /var/lib/localstack. Runs as uid 65532 instead of root, so it
# cannot use a mounted Docker socket: no Lambda or ECS task containers, which LocalStack is not used for here.
#   scripts/images/localstack.sh IMAGE   (a row of `make images`)
# shellcheck source-path=SCRIPTDIR source=python-image.sh
source "$(dirname "${BASH_SOURCE[0]}")/python-image.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
ENTRYPOINT="${ROOT_DIR}/config/emulators/localstack/docker-entrypoint.sh"
python_image "${IMAGE}" localstack http://127.0.0.1:4566/_localstack/health "$(cat <<EOD
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The directories LocalStack uses when it runs in a container, writable by its user. Its DNS server (port
# 53, for Lambda containers) needs root and an upstream resolver; nothing here uses it.
RUN install -d -o 65532 -g 65532 /var/lib/localstack /etc/localstack /usr/lib/localstack
ENV DNS_ADDRESS=0
USER 65532:65532
WORKDIR /opt/code/localstack
EXPOSE 4566
# Upstream's asks its CLI (\`localstack status services\`), which localstack-core does not ship; the same
# question asked directly:
HEALTHCHECK --interval=10s --start-period=15s --retries=5 --timeout=10s \\
  CMD ["python3", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:4566/_localstack/health', timeout=5)"]
ENTRYPOINT ["docker-entrypoint.sh"]
EOD
)" "${ENTRYPOINT}"
