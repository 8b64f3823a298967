#!/usr/bin/env bash
# Stops the app started by scripts/run.sh, then the services that scripts/services.sh started.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -f .data/run/app.pid ]; then
  pid=$(cat .data/run/app.pid)
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    echo "[stop] app stopped (pid $pid)"
  fi
  rm -f .data/run/app.pid
fi
bash scripts/services.sh down
