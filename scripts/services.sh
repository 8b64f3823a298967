#!/usr/bin/env bash
# Starts (up) or stops (down) the local services the app and the tests need:
#   Redis from Debian's redis-server, and a MongoDB-compatible server (mongod when on PATH,
#   otherwise FerretDB v1.24.2 built from tools/ferretdb). Only what is not already reachable at
#   MONGODB_URI / REDIS_URL is started, and `down` stops only what `up` started (pid files in .data/run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUN_DIR=$ROOT/.data/run
mkdir -p "$RUN_DIR"

# Settings come from the environment first, then from .env (the same precedence as the app).
load_env() {
  [ -f .env ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; value=${line#*=}
    key=$(echo "$key" | tr -d '[:space:]')
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < .env
}
load_env
MONGODB_URI=${MONGODB_URI:-mongodb://127.0.0.1:27017/moovitamix}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
# Go's garbage collector target for the local FerretDB: decoding documents allocates a lot, and
# collecting less often made whole-collection reads about 40% faster (14.5 s -> 8.7 s for the
# 220,000 documents of a 100k-user recommendation plan) for about 240 MB of memory.
FERRETDB_GOGC=${FERRETDB_GOGC:-1000}
if ! [[ "$FERRETDB_GOGC" =~ ^([1-9][0-9]*|off)$ ]]; then
  printf '[services] FERRETDB_GOGC must be a positive integer or "off", got "%s"\n' "$FERRETDB_GOGC" >&2
  exit 2
fi

log() { printf '[services] %s\n' "$*" >&2; }

# host and port of a URL, by Node's URL parser (the same one the app uses).
host_port() {
  node -e 'const u = new URL(process.argv[1].replace(/^mongodb(\+srv)?:/, "http:")); console.log(u.hostname.replace(/^\[|\]$/g, ""), u.port || process.argv[2])' "$1" "$2"
}
read -r MONGO_HOST MONGO_PORT < <(host_port "$MONGODB_URI" 27017)
read -r REDIS_HOST REDIS_PORT < <(host_port "$REDIS_URL" 6379)

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

is_local() { case "$1" in 127.*|localhost|::1) return 0 ;; *) return 1 ;; esac; }

redis_ping() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  else
    tcp_open "$REDIS_HOST" "$REDIS_PORT"
  fi
}

mongo_ping() { node scripts/mongo-ping.mjs "$MONGODB_URI" >/dev/null 2>&1; }

wait_for() {
  local name=$1 check=$2 secs=${3:-60}
  for _ in $(seq 1 $((secs * 4))); do
    if $check; then log "$name is answering"; return 0; fi
    sleep 0.25
  done
  log "$name did not answer within ${secs}s"; return 1
}

start_redis() {
  if redis_ping; then log "Redis already answering at $REDIS_HOST:$REDIS_PORT"; return 0; fi
  is_local "$REDIS_HOST" || { log "Redis at $REDIS_URL is not answering and is not local: start it yourself"; return 1; }
  if ! command -v redis-server >/dev/null 2>&1; then
    log "installing Debian's redis-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null
  fi
  mkdir -p .data/redis
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$RUN_DIR/redis.pid" --dir "$ROOT/.data/redis" --logfile "$ROOT/.data/redis/redis.log" \
    --save '' --appendonly no
  wait_for Redis redis_ping 30
}

build_ferretdb() {
  if [ -x .tools/ferretdb ]; then return 0; fi
  command -v go >/dev/null 2>&1 || { log "no mongod and no Go toolchain to build FerretDB"; return 1; }
  log "building FerretDB v1.24.2 from the Go module proxy (a few minutes the first time)"
  mkdir -p .tools
  (cd tools/ferretdb && go build -o "$ROOT/.tools/ferretdb" .)
}

start_mongo() {
  if mongo_ping; then log "MongoDB-compatible server already answering at $MONGO_HOST:$MONGO_PORT"; return 0; fi
  is_local "$MONGO_HOST" || { log "MongoDB at $MONGODB_URI is not answering and is not local: start it yourself"; return 1; }
  if command -v mongod >/dev/null 2>&1; then
    mkdir -p .data/mongod
    mongod --dbpath "$ROOT/.data/mongod" --bind_ip 127.0.0.1 --port "$MONGO_PORT" --fork \
      --logpath "$ROOT/.data/mongod/mongod.log" --pidfilepath "$RUN_DIR/mongo.pid" >/dev/null
  else
    build_ferretdb
    mkdir -p .data/ferretdb
    GOGC=$FERRETDB_GOGC nohup .tools/ferretdb -listen "127.0.0.1:$MONGO_PORT" -data "$ROOT/.data/ferretdb" \
      >"$ROOT/.data/ferretdb.log" 2>&1 &
    echo $! >"$RUN_DIR/mongo.pid"
  fi
  wait_for "MongoDB-compatible server" mongo_ping 60
}

stop_pidfile() {
  local name=$1 file=$RUN_DIR/$2.pid
  [ -f "$file" ] || { log "$name was not started by this script"; return 0; }
  local pid; pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    log "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}

case "${1:-up}" in
  up) start_redis; start_mongo ;;
  down) stop_pidfile Redis redis; stop_pidfile "MongoDB-compatible server" mongo ;;
  # The FerretDB binary alone (tests that start a private server need it even when `up` found one running).
  build-ferretdb) build_ferretdb ;;
  *) echo "usage: $0 up|down|build-ferretdb" >&2; exit 2 ;;
esac
