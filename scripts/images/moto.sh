#!/usr/bin/env bash
# Builds the moto server image (moto 5.2.1, config/python/moto.txt) from registry packages: Debian trixie's
# Python 3.13 and the locked venv. Same contract as motoserver/moto:5.2.1, so scripts and tests treat both
# alike: ENTRYPOINT /usr/local/bin/moto_server -H 0.0.0.0, port 5000 (MOTO_PORT changes it), no health check
# in the image (GET /moto-api/ answers once it serves). Runs as uid 65532 instead of root.
#   scripts/images/moto.sh IMAGE   (a row of `make images`)
# shellcheck source-path=SCRIPTDIR source=python-image.sh
source "$(dirname "${BASH_SOURCE[0]}")/python-image.sh"

IMAGE="${1:?usage: $0 IMAGE-NAME}"
python_image "${IMAGE}" moto http://127.0.0.1:5000/moto-api/ "$(cat <<EOD
# Where upstream's entrypoint finds it.
RUN ln -s ${VENV_DIR}/bin/moto_server /usr/local/bin/moto_server
USER 65532:65532
WORKDIR /home/app
EXPOSE 5000
ENTRYPOINT ["/usr/local/bin/moto_server", "-H", "0.0.0.0"]
EOD
)"
