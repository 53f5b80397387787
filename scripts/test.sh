#!/usr/bin/env bash
# Runs every test, installing and building whatever is missing first:
#   1. the native doctest suite through CTest, built with AddressSanitizer and UBSan
#   2. the vitest suite inside workerd (@cloudflare/vitest-plugin)
#   3. the shipped TypeScript declarations under `tsc --strict`
#   4. what `npm pack` ships (Node's test runner)
#   5. the demo, end to end, against `wrangler dev`
#   6. the status page in a real browser (Debian chromium + playwright-core)
#   7. the fuzz targets, about a minute each (clang libFuzzer, ASan + UBSan)
#   8. the load test: 28,500 requests through wrangler dev
#   9. the storm test: the real-time meter against the usage poll alone, through wrangler dev
# Ends with one line counting every test that ran.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/build.sh wasm
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 22 for wrangler, vitest and tsc
mkdir -p build/reports
passed=0

echo "== 1. native: doctest through CTest (ASan + UBSan)"
cmake -S . -B build/native-sanitize -DCMAKE_BUILD_TYPE=Debug -DEDGEFUSE_SANITIZE=ON >/dev/null
cmake --build build/native-sanitize -j"$(nproc)"
ctest --test-dir build/native-sanitize --output-on-failure -j"$(nproc)" | tee build/reports/ctest.txt
ctest_cases=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' build/reports/ctest.txt)
# CTest runs each doctest case by name: a name CTest splits (at ";") runs no case and passes.
doctest_cases=$(build/native-sanitize/edgefuse_tests --count | sed -n 's/.*filters: \([0-9]*\)$/\1/p')
if [ "$ctest_cases" != "$doctest_cases" ]; then
  echo "CTest ran ${ctest_cases:-no} tests for $doctest_cases doctest cases: a TEST_CASE name has a \";\"?" >&2
  exit 1
fi
passed=$((passed + ctest_cases))

echo "== 2. workerd: vitest"
vitest run --reporter=default --reporter=json --outputFile.json=build/reports/vitest.json
passed=$((passed + $(node -p 'require("./build/reports/vitest.json").numPassedTests')))

echo "== 3. types: tsc --strict against js/index.d.ts"
tsc -p tests/types/tsconfig.json
tsc -p tests/types/workers/tsconfig.json   # idiomatic typed Workers: ExportedHandler, Hono, Durable Objects
passed=$((passed + 1))

echo "== 4. package: npm pack contents"
node --test --test-reporter=spec tests/package/*.test.js | tee build/reports/pack.txt
passed=$((passed + $(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' build/reports/pack.txt)))

echo "== 5. demo: ./scripts/demo.sh"
EDGEFUSE_DEMO_PORT=${EDGEFUSE_DEMO_PORT:-8788} node scripts/demo.mjs
passed=$((passed + 1))

echo "== 6. browser: the status page in chromium (screenshots in build/artifacts/)"
node --test --test-reporter=spec tests/browser/*.test.js | tee build/reports/browser.txt
passed=$((passed + $(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' build/reports/browser.txt)))

echo "== 7. fuzz: every parser for ${EDGEFUSE_FUZZ_SECONDS:-60} s (scripts/fuzz.sh)"
bash scripts/fuzz.sh | tee build/reports/fuzz.txt
passed=$((passed + $(grep -c ' ok: ' build/reports/fuzz.txt)))

echo "== 8. load: tests/load/load.mjs"
node tests/load/load.mjs
passed=$((passed + 1))

echo "== 9. storm: tests/load/storm.mjs"
node tests/load/storm.mjs
passed=$((passed + 1))

echo
echo "all: $passed passed, 0 failed"
