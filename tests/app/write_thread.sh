#!/usr/bin/env bash
# The writer thread of `cohortgis run` (issue #16, round 4): the outputs are the same bytes as when each year is
# written before the next is projected (--no-write-thread), for the default scenario's three variants in CSV and
# results.nc; manifest.json says which mode ran (handover_seconds); SIGTERM while years are being projected and
# written stops the run within 2 s, exit 143, nothing left.
# Usage: write_thread.sh COHORTGIS_EXE DATA_DIR BENCH_TOOL_EXE
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
TOOL=$3
. "$(dirname "$0")/cli_common.sh"

"$EXE" run default --out "$WORK/inline" --threads 2 --quiet --no-report --format both --no-write-thread ||
  fail "run without the writer thread"
"$EXE" run default --out "$WORK/thread" --threads 2 --quiet --no-report --format both || fail "run with the writer thread"
n=0
for f in "$WORK/inline"/*; do
  b=$(basename "$f")
  [ "$b" = manifest.json ] && continue
  cmp -s "$f" "$WORK/thread/$b" || fail "$b differs between the writer thread and writing in line"
  n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "only $n files compared"
[ -s "$WORK/thread/results.nc" ] || fail "no results.nc"
grep -q '"handover_seconds"' "$WORK/thread/manifest.json" || fail "no handover_seconds with the writer thread"
! grep -q '"handover_seconds"' "$WORK/inline/manifest.json" || fail "handover_seconds without the writer thread"
echo "ok: $n output files byte-identical with and without the writer thread"

# SIGTERM after the second year: the projection and the writer thread both stop.
"$TOOL" scenario --zones 300 --steps 30 --out "$WORK/big" >/dev/null || fail "bench_tool scenario"
"$EXE" run "$WORK/big/scenario.toml" --out "$WORK/out" --threads 2 --no-report --format both 2>"$WORK/err" &
pid=$!
for _ in $(seq 1 1200); do
  grep -q "step 2/" "$WORK/err" && break
  sleep 0.05
done
grep -q "step 2/" "$WORK/err" || { kill "$pid"; fail "the run did not reach its second step: $(cat "$WORK/err")"; }
t0=$(date +%s%N)
kill -s TERM "$pid"
wait "$pid"; rc=$?
took_ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc -eq 143 ] || fail "SIGTERM: exit $rc, expected 143 ($(tail -c 300 "$WORK/err"))"
[ "$took_ms" -lt 2000 ] || fail "SIGTERM: the run took $took_ms ms to stop"
[ ! -e "$WORK/out" ] || fail "SIGTERM left $WORK/out"
! compgen -G "$WORK/out.tmp-*" >/dev/null || fail "SIGTERM left a temporary folder"
echo "ok: SIGTERM after step 2 -> exit 143 in $took_ms ms, nothing left"
echo "writer thread checked"
