#!/usr/bin/env bash
# The README's test command: install, services up, every test (the vitest projects in order: unit, then
# integration against the real servers, then end to end; then the alert-rule unit tests). Ends with one
# line `tests: N passed, N failed, N skipped` computed from the runners' own reports (the leftover check
# of the integration and end-to-end teardown counts as one); exits non-zero on any failure or when nothing ran.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi || exit 1
bash scripts/services.sh up || exit 1
# Debian's prometheus package: promtool for the rule tests, and the server for the end-to-end proof.
if ! command -v promtool >/dev/null 2>&1 || [ ! -x /usr/bin/prometheus ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq prometheus >/dev/null || { echo "could not install Debian's prometheus package"; exit 1; }
fi
# Debian's chromium: the dashboard's browser test drives it with playwright-core (a test never downloads a browser).
if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null || { echo "could not install Debian's chromium package"; exit 1; }
fi

# Reports of this run only (other runs may share the working tree); the last one is kept as .data/test-report.json.
report=.data/test-report.$$.json
leftovers=.data/test-leftovers.$$.json
rm -f "$report" "$leftovers"
TEST_LEFTOVERS_REPORT=$leftovers npx vitest run --outputFile.json="$report" "$@"
vitest_rc=$?

passed=0; failed=0; skipped=0
if [ -f "$report" ]; then
  read -r passed failed skipped < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), r.numPendingTests + (r.numTodoTests ?? 0));' "$report")
  mv "$report" .data/test-report.json
fi
# The teardown's check that this run left no test database or Redis key (written only when integration or end-to-end tests ran).
if [ -f "$leftovers" ]; then
  if node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).leftovers.length ? 1 : 0)' "$leftovers"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  rm -f "$leftovers"
fi

# Alert rules: promtool's own unit tests (counted per rule-test group).
if [ -f prometheus/alerts.test.yml ] && [ $# -eq 0 ]; then
  groups=$(grep -c '^  - interval:' prometheus/alerts.test.yml || true)
  if promtool test rules prometheus/alerts.test.yml; then passed=$((passed + groups)); else failed=$((failed + groups)); fi
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$vitest_rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
