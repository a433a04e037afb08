#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGINT and SIGTERM while `cohortgis estimate` reads two large censuses (round 26 backlog): the command gave none of
# its three forms the stop flag, so a signal was honoured only by the watchdog, which ends the process 0.5 s after it
# whatever the estimate was doing. Now the estimate itself stops (its readers look every 4096 rows): exit 128 + N
# with the stop message within 2 s, nothing written (no est, no est.tmp-PID), and, at least once in three tries (a
# loaded machine may delay one), before the watchdog's 0.5 s: only the estimate's own stop ends it that soon.
# Usage: signal_estimate.sh COHORTGIS_EXE
set -uo pipefail
EXE=$1
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"
cd "$WORK" || fail "cd"
# Zone totals of 1,500,000 zones in each census (the form with the fewest options): seconds to read.
awk 'BEGIN { print "zone,sex,age,population"; for (z = 0; z < 1500000; ++z) printf "Z%d,all,all,%d\n", z, 1000 + z % 7 }' >c1.csv
awk 'BEGIN { print "zone,sex,age,population"; for (z = 0; z < 1500000; ++z) printf "Z%d,all,all,%d\n", z, 1010 + z % 5 }' >c2.csv
for sig in INT TERM; do
  fast=""
  for try in 1 2 3; do
    "$EXE" estimate --first c1.csv --second c2.csv --years 2000:2010 --out est >/dev/null 2>"$WORK/err" &
    pid=$!
    wait_for_handlers "$pid" "$sig" "$EXE"
    sleep 0.2  # reading the first census
    t0=$(date +%s%N)
    send_signal "$sig" "$pid" "while reading (try $try)"
    wait "$pid"
    rc=$?
    ms=$((($(date +%s%N) - t0) / 1000000))
    expect_stopped "$sig" "$rc" "$ms" "while estimate read (try $try)"
    ! compgen -G "est*" >/dev/null || fail "SIG$sig try $try: left $(ls -d est*)"
    echo "ok: SIG$sig while estimate read (try $try): exit $rc after $ms ms, nothing written"
    if [ "$ms" -lt 450 ]; then fast=1; break; fi
  done
  [ -n "$fast" ] || fail "SIG$sig: every try ended 450 ms or more after the signal: the watchdog's exit, not the estimate's own stop"
done
echo "signals during estimate handled"
