#!/usr/bin/env bash
# Bounded fuzzing: builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded with the test fixtures. A crash, sanitizer report, leak or timeout fails the script and leaves the input in
# build-fuzz/artifacts/ — add it to tests/fixtures as a regression case.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
# Line tables only (-g1), as scripts/test.sh's sanitizer passes: the same code and file:line reports, a faster build.
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG" -DCOHORTGIS_FUZZ=ON \
  -DCOHORTGIS_BUILD_TESTS=OFF -DCOHORTGIS_BUILD_BENCH=OFF -DCOHORTGIS_BUILD_PYTHON=OFF >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target fuzz_scenario_file fuzz_table_reader fuzz_input_sandbox
mkdir -p build-fuzz/artifacts
# The targets run side by side, each for SECONDS of wall time: on CI's two cores that is two thirds of a core each
# for a third of the wall time of running them one after another (scripts/test.sh's time budget).
run() {  # target, seed folders…
  local target=$1; shift
  local corpus="build-fuzz/corpus-$target"
  mkdir -p "$corpus"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "build-fuzz/fuzz/$target" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$target-" "$corpus" "$@" >"build-fuzz/$target.log" 2>&1
}
echo "== fuzzing fuzz_scenario_file, fuzz_table_reader and fuzz_input_sandbox side by side for ${SECONDS_EACH}s"
run fuzz_scenario_file tests/fixtures/scenarios tests/fixtures/scenarios/broken scenarios/examples/beijing-2020 &
p1=$!
run fuzz_table_reader tests/fixtures/tables tests/conformance/preston-box-6.2 &
p2=$!
run fuzz_input_sandbox fuzz/seeds/input_sandbox &
p3=$!
status=0
for entry in "$p1 fuzz_scenario_file" "$p2 fuzz_table_reader" "$p3 fuzz_input_sandbox"; do
  set -- $entry
  rc=0
  wait "$1" || rc=$?
  echo "== $2 (exit $rc)"
  tail -12 "build-fuzz/$2.log"
  if [ "$rc" -ne 0 ]; then status=$rc; fi
done
exit "$status"
