#!/usr/bin/env bash
# The demo: a runaway being stopped (see scripts/demo.mjs). Installs and builds whatever is
# missing first. Pass --serve to keep the Worker running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh wasm
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 22 for wrangler
exec node scripts/demo.mjs "$@"
