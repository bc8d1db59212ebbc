#!/usr/bin/env bash
# Engine benchmark pinned to one core (taskset, from util-linux) when available.
set -euo pipefail
cd "$(dirname "$0")/.."
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); fi
exec "${pin[@]}" node --max-semi-space-size=32 --enable-experimental-regexp-engine-on-excessive-backtracks --import tsx bench/engine.ts "$@"
