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

step "unit and integration tests"
npx vitest run

step "production build"
npx next build

step "browser tests"
npx playwright test
