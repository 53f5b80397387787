#!/usr/bin/env bash
# Runs the benchmark suite inside workerd and prints its tables (figures, not pass/fail).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh wasm
export PATH="$PWD/node_modules/.bin:$PATH"
vitest run --config bench/vitest.config.js --reporter=default
node bench/cold-start.mjs
node bench/meter-cpu.mjs
