#!/usr/bin/env bash
# The README's main job: install, services up, build, start the app (APP_ROLE=all) in the
# background, run one full pipeline cycle against it, and print the URLs to open.
# The app keeps running afterwards; `bash scripts/stop.sh` stops it and the services.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data/run

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
bash scripts/services.sh up
npm run build --silent

if [ -f .data/run/app.pid ] && kill -0 "$(cat .data/run/app.pid)" 2>/dev/null; then
  echo "[run] stopping the app started earlier (pid $(cat .data/run/app.pid))"
  kill -TERM "$(cat .data/run/app.pid)"; sleep 2
fi
nohup node dist/main.js >.data/app.log 2>&1 &
echo $! >.data/run/app.pid
echo "[run] app started (pid $(cat .data/run/app.pid)), logs in .data/app.log"

set -a; . ./.env; set +a
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:${HTTP_PORT}/health/ready" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:${MOCK_PORT}/tracks?size=1" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$(cat .data/run/app.pid)" 2>/dev/null; then echo "[run] the app exited; last log lines:"; tail -n 20 .data/app.log; exit 1; fi
  sleep 0.5
done

node dist/cli/cycle.js

cat <<URLS

MooVitamix is running (APP_ROLE=all). Open:
  mock source API   http://127.0.0.1:${MOCK_PORT}/tracks   (docs: http://127.0.0.1:${MOCK_PORT}/docs)
  HTTP API          http://127.0.0.1:${HTTP_PORT}/users/<userId>/recommendations
  API docs          http://127.0.0.1:${HTTP_PORT}/docs
  metrics           http://127.0.0.1:${HTTP_PORT}/metrics
  health            http://127.0.0.1:${HTTP_PORT}/health
  Bull Board        http://127.0.0.1:${HTTP_PORT}/admin/queues   (any user name, password = ADMIN_TOKEN from .env)
Stop everything: bash scripts/stop.sh
URLS
