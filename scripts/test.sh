#!/usr/bin/env bash
# Runs every test: the native doctest suite (CTest), then the vitest suite inside workerd.
# Installs and builds whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 22 for wrangler and vitest

echo "== native: doctest through CTest"
ctest --test-dir build/native --output-on-failure -j"$(nproc)"

echo "== workerd: vitest with @cloudflare/vitest-plugin"
vitest run
