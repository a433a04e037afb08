#!/usr/bin/env bash
# Builds cohortgis and runs every test: a Release build (warnings as errors), then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, then the parallel-kernel tests under ThreadSanitizer, then bounded
# fuzzing of the scenario loader and the table reader (COHORTGIS_FUZZ_SECONDS, default 60 each).
# Usage: scripts/test.sh [--quick]   (--quick: the Release build only)
set -euo pipefail
cd "$(dirname "$0")/.."
# The set-up builds build/ with the Release test configuration (warnings as errors), so the step below only checks
# it: one Release compile, not two.
COHORTGIS_CMAKE_ARGS="-DCOHORTGIS_WERROR=ON ${COHORTGIS_CMAKE_ARGS:-}" scripts/setup.sh >/dev/null
JOBS=$(nproc)
# The sanitizer passes build RelWithDebInfo with line tables only (-g1, not -g): the same machine code (GCC's debug
# level does not change it) and the same file:line stack traces in sanitizer reports, in a fifth to a third less
# compile time (no variable locations; under ASan engine/src/multistate_od.cpp 77 → 55 CPU-s).
SANITIZER_FLAGS="-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
# ccache hashes paths relative to the checkout (as setup.sh does), so the pip-install test's copy of the sources
# compiles to the same keys and takes build/'s objects wherever the checkout is (not only under a configured base_dir).
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

echo "== Release build, all tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORTGIS_WERROR=ON -DCOHORTGIS_MPI=ON >/dev/null  # MPI: Release only
cmake --build build --parallel "$JOBS"
(cd build && ctest --output-on-failure --parallel "$JOBS")

if [ "${1:-}" = "--quick" ]; then exit 0; fi

# Tests labelled release_only (whole-system checks: installs, servers, packaging, large examples) run in the Release
# pass only: they exercise no code the sanitizers would see differently, and would double CI time.
echo "== ASan + UBSan build, all tests but those labelled release_only"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$SANITIZER_FLAGS" -DCOHORTGIS_WERROR=ON \
  -DCOHORTGIS_SANITIZE=ON -DCOHORTGIS_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan --parallel "$JOBS"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/../tests/lsan.supp" ctest --output-on-failure --parallel "$JOBS" -LE release_only)

echo "== TSan build, the parallel kernel (projection, indicator, thread-arena and give-back tests) and the parallel CSV reader"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$SANITIZER_FLAGS" -DCOHORTGIS_WERROR=ON \
  -DCOHORTGIS_TSAN=ON -DCOHORTGIS_BUILD_BENCH=OFF >/dev/null
cmake --build build-tsan --parallel "$JOBS" --target test_projection test_indicators test_fast_paths test_indicator_zone_slots test_indicator_aggregates \
  test_shared_schedules test_table_parallel test_pooled_life_tables test_zone_shared_schedules
# Left to the other passes: TableParallel.BadCellAnywhere… reads 40 tables at five part sizes (48 s under TSan), and
# TableParallel.LineOverGdalsLimit… reads one 10 MB line, which GDAL grows a byte range at a time (290 s under TSan):
# both check the reader's error text, not its threads.
(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$PWD/../tests/tsan.supp" ctest --output-on-failure \
  --parallel "$JOBS" -R "^(Projection|Indicator|FastPaths|TableParallel|SharedSchedules|PooledLifeTables|ThreadArena|ZoneShared|GiveBack)" \
  -E "BadCellAnywhere|LineOverGdalsLimit")

echo "== Bounded fuzzing (libFuzzer): the scenario loader and the table reader, ${COHORTGIS_FUZZ_SECONDS:-60}s each"
scripts/fuzz.sh "${COHORTGIS_FUZZ_SECONDS:-60}"
