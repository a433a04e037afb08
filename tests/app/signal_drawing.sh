#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM (and SIGINT, SIGQUIT, SIGUSR1, SIGALRM) while the maps and charts are drawn, and while a large table is read
# (issue #16): the run must exit 128 + the signal within 2 s of the signal and leave
# neither its temporary folder nor an output folder. The signal is sent once the first figure is in the staging
# folder (drawing under way) and before report.html exists (drawing not finished).
# Usage: signal_drawing.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"

# SIGQUIT and SIGUSR1 stand for every other terminating signal (SIGUSR2, SIGALRM, SIGXCPU …): they killed the run
# and left out.tmp-PID (hostile probe 2, round 4); now they stop it like SIGTERM, exit 128 + the signal.
for sig in TERM INT QUIT USR1; do
  rm -rf "$WORK"/out*
  "$EXE" run "$EXAMPLES/nc-counties/scenario.toml" --out "$WORK/out" --quiet 2>"$WORK/err" &
  pid=$!
  drawing=""
  wait_for_glob "$pid" "$WORK/out.tmp-*/maps/*.png" 2000 && drawing=1
  [ -n "$drawing" ] || { wait "$pid"; fail "SIG$sig: the run never started drawing (exit $?: $(cat "$WORK/err"))"; }
  compgen -G "$WORK/out.tmp-*/report.html" >/dev/null && fail "SIG$sig: drawing had already finished"
  t0=$(date +%s%N)
  kill -s "$sig" "$pid"
  wait "$pid"; rc=$?
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  expect_stopped "$sig" "$rc" "$ms" "during drawing"
  ! compgen -G "$WORK/out*" >/dev/null || fail "SIG$sig: left $(ls -d "$WORK"/out*)"
  echo "ok: SIG$sig during drawing -> exit $rc after $ms ms, nothing left: $(cat "$WORK/err")"
done
# SIGTERM while a large base table is read (a phase without cancel checks: the watchdog's 0.5 s): 20,000 zones.
mkdir -p "$WORK/big"
/usr/bin/python3 "$(dirname "$0")/big_scenario.py" "$WORK/big" 20000
# SIGALRM (a `timeout`-like alarm) takes the same path as SIGTERM; the watchdog's message names it.
for sig in TERM ALRM; do
  rm -rf "$WORK"/out*
  "$EXE" run "$WORK/big/scenario.toml" --out "$WORK/out" --quiet 2>"$WORK/err" &
  pid=$!
  for _ in $(seq 1 400); do compgen -G "$WORK/out.tmp-*" >/dev/null && break; sleep 0.005; done
  t0=$(date +%s%N)
  kill -s "$sig" "$pid"
  wait "$pid"; rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_stopped "$sig" "$rc" "$ms" "while loading"
  ! compgen -G "$WORK/out*" >/dev/null || fail "SIG$sig while loading: left $(ls -d "$WORK"/out*)"
  echo "ok: SIG$sig while loading -> exit $rc after $ms ms, nothing left"
done
# `cohortgis report DIR` redraws a finished run: SIGTERM while it reads and draws stops it (143) and leaves the
# folder's report.html as it was, with no report.html.tmp-PID.
"$EXE" run "$EXAMPLES/nc-counties/scenario.toml" --out "$WORK/res" --quiet 2>"$WORK/err" || fail "run for report: $(cat "$WORK/err")"
before=$(sha256sum <"$WORK/res/report.html")
"$EXE" report "$WORK/res" >/dev/null 2>"$WORK/err" &
pid=$!
wait_for_handlers "$pid" TERM "$EXE"
sleep 0.1
send_signal TERM "$pid" "during cohortgis report"
wait "$pid"; rc=$?
[ $rc -eq 143 ] || fail "SIGTERM during 'cohortgis report': exit $rc, expected 143 ($(cat "$WORK/err"))"
grep -q "interrupted by SIGTERM" "$WORK/err" || fail "SIGTERM during 'cohortgis report': killed, not stopped: $(cat "$WORK/err")"
[ "$(sha256sum <"$WORK/res/report.html")" = "$before" ] || fail "SIGTERM during 'cohortgis report': report.html changed"
! compgen -G "$WORK/res/*tmp*" >/dev/null || fail "SIGTERM during 'cohortgis report': left $(ls "$WORK/res")"
echo "ok: SIGTERM during 'cohortgis report' -> exit 143, report.html untouched"

# The same once figures are being replaced, in the other language (so that they differ): the figures already
# redrawn went back (some were left new while manifest.json listed the old ones, a folder that report then refused
# as changed: hostile probe, round 16); the folder is as before, no DIR.old-PID is left, and report runs on it again.
lang=en; grep -q '"language": "en' "$WORK/res/manifest.json" && lang=zh
sums() { (cd "$WORK/res" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
before=$(sums)
"$EXE" report "$WORK/res" --lang "$lang" >/dev/null 2>"$WORK/err" &
pid=$!
redrawn=""
for _ in $(seq 1 2000); do
  if [ -n "$(find "$WORK/res/maps" "$WORK/res/charts" -name '*.png' -newer "$WORK/res/manifest.json" | head -1)" ]; then
    redrawn=1; break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.005
done
[ -n "$redrawn" ] || { wait "$pid"; fail "report --lang $lang: no figure was redrawn (exit $?)"; }
send_signal TERM "$pid" "while cohortgis report replaces figures"
wait "$pid"; rc=$?
[ $rc -eq 143 ] || fail "SIGTERM while report replaces figures: exit $rc, expected 143 ($(cat "$WORK/err"))"
[ "$(sums)" = "$before" ] || fail "SIGTERM while report replaces figures: files changed: $(diff <(echo "$before") <(sums) | head -5)"
! compgen -G "$WORK/res.old-*" >/dev/null || fail "SIGTERM while report replaces figures: left $(ls "$WORK")"
"$EXE" report "$WORK/res" >/dev/null 2>"$WORK/err" || fail "report after an interrupted redraw: $(cat "$WORK/err")"
echo "ok: SIGTERM while 'cohortgis report' replaces figures -> exit 143, every file as before"
echo "signals during drawing handled"
