#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined) and runs each
# for EDGEFUSE_FUZZ_SECONDS (default 60), starting from the seed corpus in tests/fuzz/corpus.
# Fails on any crash, leak or undefined behaviour; prints executions and coverage per target.
# New corpus entries go to build/fuzz/corpus (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${EDGEFUSE_FUZZ_SECONDS:-60}
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDGEFUSE_FUZZ=ON >/dev/null
cmake --build build/fuzz -j"$(nproc)" >/dev/null
for target in config answer state evaluate meter; do
  corpus=build/fuzz/corpus/$target
  mkdir -p "$corpus"
  log=build/fuzz/$target.log
  if ! build/fuzz/fuzz_$target -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
      -artifact_prefix=build/fuzz/crash-$target- "$corpus" tests/fuzz/corpus/$target >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target FAILED (the input is in build/fuzz/crash-$target-*)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1)
  echo "fuzz: $target ok: $runs executions in ${seconds} s, $cov edges, $ft features, corpus $(ls "$corpus" | wc -l) entries"
done
