#!/usr/bin/env bash
# The whole test suite: types, unit and integration tests (vitest), a production build of the
# pages, then browser tests (Playwright driving Debian Chromium against the real server).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\n== %s\n' "$*"; }

step "browser for end-to-end tests"
bash scripts/ensure-chromium.sh

step "Redis for single-node tests"
bash scripts/ensure-redis.sh

step "type check"
npx tsc --noEmit -p .

mkdir -p .test-reports
step "unit, contract, integration and fault tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-reports/vitest.json

step "production build"
npx next build

step "browser tests"
PLAYWRIGHT_JSON_OUTPUT_NAME=.test-reports/playwright.json npx playwright test --reporter=list,json

node scripts/test-summary.mjs .test-reports/vitest.json .test-reports/playwright.json
