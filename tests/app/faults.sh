#!/usr/bin/env bash
# Faults a planner's machine can throw at a run: an output folder that cannot be created, a full disk (a file-size
# limit), SIGINT/SIGTERM mid-run. Each must give a clear message and a non-zero exit, leave no temporary folder and
# leave the previous results untouched.
# Usage: faults.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
. "$(dirname "$0")/cli_common.sh"

# A results folder of an earlier run (cohortgis replaces only its own results), which a failed run must not touch.
"$EXE" run default --out "$WORK/prev" --quiet --no-report || fail "the earlier run"
previous() {
  rm -rf "$WORK/out"* && cp -a "$WORK/prev" "$WORK/out"
}
untouched() {
  diff -r "$WORK/prev" "$WORK/out" >/dev/null || fail "$1: the previous results were changed"
  ! ls -d "$WORK"/out.tmp-* "$WORK"/out.old-* >/dev/null 2>&1 || fail "$1: a temporary folder was left behind"
}

# 1. An output folder that cannot be created.
"$EXE" run default --out /proc/cohortgis-cannot-write --quiet 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "unwritable folder: exit $rc, expected 1"
grep -q "/proc/cohortgis-cannot-write" "$WORK/err" || fail "unwritable folder: message does not name it: $(cat "$WORK/err")"
echo "ok: unwritable output folder -> $(head -c 200 "$WORK/err")"

# 2. Disk full: a 200 KiB file-size limit makes writing population.csv fail (EFBIG).
previous
( ulimit -f 200; "$EXE" run default --out "$WORK/out" --quiet ) 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "file-size limit: exit $rc, expected 1 ($(cat "$WORK/err"))"
grep -qi "write failed\|too large\|cannot" "$WORK/err" || fail "file-size limit: unclear message: $(cat "$WORK/err")"
untouched "file-size limit"
echo "ok: file-size limit -> $(head -c 200 "$WORK/err")"

# 3. SIGTERM and SIGINT mid-run (the 100-county example takes over a second with its maps).
for sig in TERM INT; do
  previous
  "$EXE" run "$EXAMPLES/nc-counties/scenario.toml" --out "$WORK/out" --quiet 2>"$WORK/err" &
  pid=$!
  # Signal once the run is under way (its staging folder exists, so its handlers are installed): a fixed delay
  # could land while a loaded machine is still loading the libraries.
  for _ in $(seq 1 200); do
    compgen -G "$WORK/out.tmp-*" >/dev/null && break
    sleep 0.05
  done
  sleep 0.1
  kill -s "$sig" "$pid"
  wait "$pid"; rc=$?
  want=$([ "$sig" = TERM ] && echo 143 || echo 130)
  [ $rc -eq "$want" ] || fail "SIG$sig: exit $rc, expected $want ($(cat "$WORK/err"))"
  grep -q "interrupted by SIG$sig" "$WORK/err" || fail "SIG$sig: message: $(cat "$WORK/err")"
  untouched "SIG$sig"
  echo "ok: SIG$sig mid-run -> exit $rc: $(cat "$WORK/err")"
done
echo "all faults handled"
