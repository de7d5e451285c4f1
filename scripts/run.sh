#!/usr/bin/env bash
# The README's main command: the service on http://127.0.0.1:8080 backed by DynamoDB Local on
# 127.0.0.1:8000, both in one JVM from the test classpath (no AWS account, no Docker). Ctrl-C stops both.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

log "▶ Building, then starting DynamoDB Local on 127.0.0.1:8000 and the service on http://127.0.0.1:8080 (Ctrl-C stops)"
exec "${ROOT_DIR}/scripts/mvn.sh" --batch-mode --no-transfer-progress -q -pl service test-compile exec:exec \
  -Dexec.executable=java -Dexec.classpathScope=test \
  "-Dexec.args=-Dsqlite4java.library.path=target/native-libs -classpath %classpath com.example.usersinfo.LocalApplication"
