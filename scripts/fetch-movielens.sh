#!/usr/bin/env bash
# npm run dataset:movielens: MovieLens 100K, fetched on demand from the package registry (inside the
# recbole wheel) and imported into .data/datasets/ml-100k (git-ignored: the licence forbids
# redistributing it, so it is never committed). Does nothing when it is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=.data/datasets/ml-100k
# Pinned so that every machine gets the same file; RECBOLE_VERSION overrides.
VERSION="${RECBOLE_VERSION:-1.2.1}"
MEMBER=recbole/dataset_example/ml-100k/ml-100k.inter

if [ -s "$OUT/listens.ndjson" ]; then
  echo "dataset:movielens: $OUT is already there (remove it to fetch again)"
  exit 0
fi
[ -f dist/cli/dataset-import.js ] || { echo "dataset:movielens: dist/ is missing: run npm run build first" >&2; exit 1; }

PYTHON=$(command -v python3 || command -v python || true)
[ -n "$PYTHON" ] || { echo "dataset:movielens: needs python3 (with pip) to download the recbole wheel" >&2; exit 1; }

mkdir -p .data
TMP=$(mktemp -d .data/.ml-100k-fetch.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

echo "dataset:movielens: downloading recbole==$VERSION (no dependencies) from the package registry"
"$PYTHON" -m pip download --quiet --no-deps "recbole==$VERSION" -d "$TMP"
WHEEL=$(ls "$TMP"/recbole-*.whl)
"$PYTHON" - "$WHEEL" "$MEMBER" "$TMP/ml-100k.inter" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(target, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
node dist/cli/dataset-import.js --format recbole --in "$TMP/ml-100k.inter" --out "$OUT"
