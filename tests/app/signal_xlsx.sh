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
/usr/bin/python3 - "$WORK/big" <<'PY'
import sys
d = sys.argv[1]
with open(f"{d}/base.csv", "w") as f:
    f.write("zone,sex,age,population\n")
    for z in range(5000):
        for sex in ("female", "male"):
            for age in range(0, 90, 5):
                f.write(f"Z{z},{sex},{age},{1000 - age}\n")
with open(f"{d}/zones.csv", "w") as f:
    f.write("id,name\n" + "".join(f"Z{z},zone {z}\n" for z in range(5000)))
with open(f"{d}/asfr.csv", "w") as f:
    f.write("age,value\n20,0.1\n25,0.1\n30,0.1\n")
with open(f"{d}/mx.csv", "w") as f:
    f.write("age,sex,mx\n" + "".join(f"{a},{s},0.01\n" for s in ("female", "male") for a in [0, 1] + list(range(5, 90, 5))))
with open(f"{d}/scenario.toml", "w") as f:
    f.write('[scenario]\nname = "big"\n[geography]\nzones = "zones.csv"\n'
            '[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 85\n'
            '[base_population]\ntable = "base.csv"\n[fertility]\nschedule = "asfr.csv"\nsrb = 105\n'
            '[mortality]\nmx = { path = "mx.csv", columns = { value = "mx" } }\n')
PY
# One thread (results.xlsx written in line) and two (on a thread of its own beside the report).
for threads in 1 2; do
  rm -rf "$WORK"/out*
  "$EXE" run "$WORK/big/scenario.toml" --out "$WORK/out" --quiet --threads "$threads" 2>"$WORK/err" &
  pid=$!
  zipping=""
  # The zip is created when workbook_close starts; the signal goes 0.3 s later, with the close under way.
  for _ in $(seq 1 12000); do
    if compgen -G "$WORK/out.tmp-*/results.xlsx" >/dev/null; then zipping=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  [ -n "$zipping" ] || { wait "$pid"; fail "threads $threads: results.xlsx was never zipped (exit $?: $(cat "$WORK/err"))"; }
  sleep 0.3
  kill -0 "$pid" 2>/dev/null || fail "threads $threads: the run ended before the signal (the close took under 0.3 s)"
  t0=$(date +%s%N)
  send_signal TERM "$pid" "while results.xlsx is zipped"
  wait "$pid"; rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_stopped TERM "$rc" "$ms" "while results.xlsx is zipped (threads $threads)"
  [ "$ms" -lt 1000 ] || fail "threads $threads: exit after $ms ms, expected under 1 s"
  ! compgen -G "$WORK/out*" >/dev/null || fail "threads $threads: left $(ls -d "$WORK"/out*)"
  echo "ok: SIGTERM while results.xlsx is zipped (threads $threads) -> exit $rc after $ms ms, nothing left"
done
echo "signal while zipping results.xlsx handled"
