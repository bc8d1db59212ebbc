#!/usr/bin/env bash
# Type-check, lint, then run every test file (node:test on Node 20 needs explicit file names).
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
npx eslint src test
mapfile -t files < <(find src test -name '*.test.ts' | sort)
exec node --enable-experimental-regexp-engine-on-excessive-backtracks --import tsx --test --test-reporter=spec "${files[@]}"
