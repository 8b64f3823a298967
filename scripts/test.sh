#!/usr/bin/env bash
# The README's test command: install, services up, every test (the vitest projects in order: unit, then
# integration against the real servers, then end to end; then the alert-rule unit tests). Ends with one
# line `tests: N passed, N failed, N skipped` computed from the runners' own reports (the leftover check
# of the integration and end-to-end teardown counts as one); exits non-zero on any failure or when nothing ran.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .data

# Install, unless node_modules is already newer than package.json and the lockfile (npm's own record,
# node_modules/.package-lock.json): npm ci deletes node_modules first, under any other run in this tree.
installed=node_modules/.package-lock.json
if [ ! "$installed" -nt package.json ] || { [ -f package-lock.json ] && [ ! "$installed" -nt package-lock.json ]; }; then
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi || exit 1
fi
bash scripts/services.sh up || exit 1
# The production tree's advisories, where the registry answers npm audit (it is said and skipped otherwise).
bash scripts/audit.sh || exit 1
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

# Unit tests first: no server, nothing built, so their results stand even when the build does not.
# Then integration and end to end, whose global setup starts the services and builds, and whose
# teardown checks that this run left no test database or Redis key.
# Reports of this run only (other runs may share the working tree); merged into .data/test-report.json.
unit_report=.data/test-report-unit.$$.json
servers_report=.data/test-report-servers.$$.json
leftovers=.data/test-leftovers.$$.json
rm -f "$unit_report" "$servers_report" "$leftovers"
npx vitest run --project unit --passWithNoTests --outputFile.json="$unit_report" "$@"
unit_rc=$?
TEST_LEFTOVERS_REPORT=$leftovers npx vitest run --project integration --project e2e --passWithNoTests --outputFile.json="$servers_report" "$@"
servers_rc=$?

# Counts from the reports: a test file that failed without a failed test (it did not load, a hook
# threw) counts as one failure, and so does a run that failed without either (its setup, its teardown,
# an unhandled error); the leftover check counts as one test.
read -r passed failed skipped < <(node -e '
  const fs = require("fs");
  const [unitReport, unitRc, serversReport, serversRc, leftovers] = process.argv.slice(1);
  let passed = 0, failed = 0, skipped = 0;
  const merged = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, numFailedTestSuites: 0, testResults: [] };
  for (const [file, rc] of [[unitReport, unitRc], [serversReport, serversRc]]) {
    let runFailed = 0;
    if (fs.existsSync(file)) {
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      for (const k of Object.keys(merged)) if (k !== "testResults") merged[k] += r[k] ?? 0;
      merged.testResults.push(...r.testResults);
      passed += r.numPassedTests;
      const brokenFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"));
      for (const f of brokenFiles) console.error(`test file failed without a failed test: ${f.name}: ${f.message}`);
      runFailed = r.numFailedTests + brokenFiles.length;
      skipped += r.numPendingTests + (r.numTodoTests ?? 0);
      fs.rmSync(file);
    }
    failed += rc !== "0" && runFailed === 0 ? 1 : runFailed;
  }
  if (fs.existsSync(leftovers)) {
    if (JSON.parse(fs.readFileSync(leftovers, "utf8")).leftovers.length) failed += 1; else passed += 1;
    fs.rmSync(leftovers);
  }
  fs.writeFileSync(".data/test-report.json", JSON.stringify(merged));
  console.log(passed, failed, skipped);' "$unit_report" "$unit_rc" "$servers_report" "$servers_rc" "$leftovers")

# Static checks, one test each: types (sources and tests), ESLint, Prettier.
if [ $# -eq 0 ]; then
  for check in typecheck lint format:check; do
    if npm run --silent "$check"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "static check failed: npm run $check"; fi
  done
fi

# Alert rules: promtool's own unit tests (counted per rule-test group).
if [ -f prometheus/alerts.test.yml ] && [ $# -eq 0 ]; then
  groups=$(grep -c '^  - interval:' prometheus/alerts.test.yml || true)
  if promtool test rules prometheus/alerts.test.yml; then passed=$((passed + groups)); else failed=$((failed + groups)); fi
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$unit_rc" -ne 0 ] || [ "$servers_rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
