#!/usr/bin/env bash
# The README's test command: install, services up, every test (unit, integration against the real
# servers, end to end, alert-rule unit tests). Ends with one line `tests: N passed, N failed, N skipped`
# computed from the runners' own reports; exits non-zero on any failure or when nothing ran.
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

rm -f .data/test-report.json
npx vitest run "$@"
vitest_rc=$?

passed=0; failed=0; skipped=0
if [ -f .data/test-report.json ]; then
  read -r passed failed skipped < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(".data/test-report.json", "utf8"));
    console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0), r.numPendingTests + (r.numTodoTests ?? 0));')
fi

# Alert rules: promtool's own unit tests (counted per rule-test group).
if [ -f prometheus/alerts.test.yml ] && [ $# -eq 0 ]; then
  groups=$(grep -c '^  - interval:' prometheus/alerts.test.yml || true)
  if promtool test rules prometheus/alerts.test.yml; then passed=$((passed + groups)); else failed=$((failed + groups)); fi
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$vitest_rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
