#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM while results.xlsx is zipped (libxlsxwriter's workbook_close, which cannot be stopped; round 30, h196): the
# run must exit 143 within 1 s of the signal and leave neither its temporary folder nor an output folder. The
# sheets' temporary files (tmpfile(), 660 MB of XML for this run's 540,000-row population sheet) were freed by the
# process's exit, 1.3 s with ext4's discards; the watchdog now hands them to a child (hold_unlinked_files).
# Usage: signal_xlsx.sh COHORTGIS_EXE
set -uo pipefail
EXE=$1
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"

# 5,000 zones, three years: population.csv has 540,000 rows, under Excel's limit, so its sheet is written.
mkdir -p "$WORK/big"
/usr/bin/python3 "$(dirname "$0")/big_scenario.py" "$WORK/big" 5000
# One thread (results.xlsx written in line) and two (on a thread of its own beside the report).
# The 1 s bound is the product's; a loaded CI machine can delay one exit past it by scheduling alone (once in three
# runs at load 17, 2 threads: 1000 ms), so a case over it is run once more and fails only if over it again (before
# the fix every run took 1.5-1.8 s).
for threads in 1 1 2 2; do
  [ "$threads" = "${done_threads:-}" ] && continue
  rm -rf "$WORK"/out*
  "$EXE" run "$WORK/big/scenario.toml" --out "$WORK/out" --quiet --threads "$threads" 2>"$WORK/err" &
  pid=$!
  zipping=""
  # The zip is created when workbook_close starts; the signal goes 0.3 s later, with the close under way.
  wait_for_glob "$pid" "$WORK/out.tmp-*/results.xlsx" 12000 && zipping=1
  [ -n "$zipping" ] || { wait "$pid"; fail "threads $threads: results.xlsx was never zipped (exit $?: $(cat "$WORK/err"))"; }
  sleep 0.3
  kill -0 "$pid" 2>/dev/null || fail "threads $threads: the run ended before the signal (the close took under 0.3 s)"
  t0=$(date +%s%N)
  send_signal TERM "$pid" "while results.xlsx is zipped"
  wait "$pid"; rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_stopped TERM "$rc" "$ms" "while results.xlsx is zipped (threads $threads)"
  ! compgen -G "$WORK/out*" >/dev/null || fail "threads $threads: left $(ls -d "$WORK"/out*)"
  if [ "$ms" -ge 1000 ]; then
    [ "$threads" != "${late_threads:-}" ] || fail "threads $threads: exit after $ms ms, expected under 1 s (twice)"
    echo "late: SIGTERM while results.xlsx is zipped (threads $threads) -> exit after $ms ms; once more"
    late_threads=$threads
    continue
  fi
  echo "ok: SIGTERM while results.xlsx is zipped (threads $threads) -> exit $rc after $ms ms, nothing left"
  done_threads=$threads
done
[ "${done_threads:-}" = 2 ] || fail "a case ended neither under 1 s nor as a failure"
echo "signal while zipping results.xlsx handled"
