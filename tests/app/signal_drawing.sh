#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM while the maps and charts are drawn (issue #16): the run must exit 143 within 2 s of the signal and leave
# neither its temporary folder nor an output folder. The signal is sent once the first figure is in the staging
# folder (drawing under way) and before report.html exists (drawing not finished).
# Usage: signal_drawing.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

for sig in TERM INT; do
  rm -rf "$WORK"/out*
  "$EXE" run "$EXAMPLES/nc-counties/scenario.toml" --out "$WORK/out" --quiet 2>"$WORK/err" &
  pid=$!
  drawing=""
  for _ in $(seq 1 2000); do
    if compgen -G "$WORK/out.tmp-*/maps/*.png" >/dev/null; then drawing=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  [ -n "$drawing" ] || { wait "$pid"; fail "SIG$sig: the run never started drawing (exit $?: $(cat "$WORK/err"))"; }
  compgen -G "$WORK/out.tmp-*/report.html" >/dev/null && fail "SIG$sig: drawing had already finished"
  t0=$(date +%s%N)
  kill -s "$sig" "$pid"
  wait "$pid"; rc=$?
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  want=$([ "$sig" = TERM ] && echo 143 || echo 130)
  [ $rc -eq "$want" ] || fail "SIG$sig during drawing: exit $rc, expected $want ($(cat "$WORK/err"))"
  [ "$ms" -lt 2000 ] || fail "SIG$sig during drawing: exit after $ms ms, expected under 2 s"
  grep -q "interrupted by SIG$sig" "$WORK/err" || fail "SIG$sig: message: $(cat "$WORK/err")"
  ! compgen -G "$WORK/out*" >/dev/null || fail "SIG$sig: left $(ls -d "$WORK"/out*)"
  echo "ok: SIG$sig during drawing -> exit $rc after $ms ms, nothing left: $(cat "$WORK/err")"
done
echo "signals during drawing handled"
