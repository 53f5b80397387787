#!/usr/bin/env bash
# Builds the core. `build.sh wasm` builds only the WASM module for the npm package (dist/);
# `build.sh native` only the native library and its doctest suite; no argument, both.
# CMake rebuilds only what changed, so an up-to-date tree builds in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(nproc)

if [ "$what" = all ] || [ "$what" = native ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release ${EDGEFUSE_SANITIZE:+-DEDGEFUSE_SANITIZE=ON} >/dev/null
  cmake --build build/native -j"$jobs"
fi
if [ "$what" = all ] || [ "$what" = wasm ]; then
  # Debian's Emscripten optimiser needs the acorn module that lives under /usr/share/nodejs.
  export NODE_PATH=/usr/share/nodejs
  [ -f build/wasm/CMakeCache.txt ] || emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/wasm -j"$jobs"
  node scripts/generate-constants.mjs  # dist/constants.js: the constants the shim shares with the core
  node scripts/bundle-simulator.mjs    # dist/simulator.mjs: the simulator as edgefuse/testing runs it
fi
