#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Named pipes (FIFOs) where a file is expected (issue 16, hostile-input probe): opening one blocks until a writer
# comes, so before the fix `cohortgis validate` on a scenario whose table is a FIFO hung for ever. Each case must now
# exit 1 within seconds, naming the path and saying what it is, and write nothing. A FIFO cannot be checked into git,
# so the cases are made here (tests/fixtures/bad/cases.tsv holds the device case, /dev/zero, and NUL bytes).
# Usage: special_files.sh COHORTGIS_EXE FIXTURES_DIR
set -uo pipefail
EXE=$1
FIX=$2
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"

# expect NAME PATTERN COMMAND...: exit 1 within 20 s with PATTERN in stderr.
expect() {
  local name=$1 pattern=$2
  shift 2
  local err rc
  err=$(cd "$WORK/s" && timeout 20 "$EXE" "$@" 2>&1 >/dev/null)
  rc=$?
  [ "$rc" -eq 124 ] && fail "$name: hung (killed after 20 s)"
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1 ($err)"
  echo "$err" | grep -Eq "$pattern" || fail "$name: message '$err' does not match '$pattern'"
  [ -e "$WORK/s/out" ] && fail "$name: wrote $WORK/s/out"
  echo "ok: $name"
}

mkdir -p "$WORK/s"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$WORK/s/"

# A table of the scenario that is a FIFO (the sandbox's check, before GDAL opens it).
mv "$WORK/s/asfr.csv" "$WORK/s/asfr.real"
mkfifo "$WORK/s/asfr.csv"
expect table_fifo "key 'fertility.schedule': 'asfr.csv' is a named pipe \(FIFO\), not a file" validate good.toml
expect table_fifo_run "key 'fertility.schedule': 'asfr.csv' is a named pipe \(FIFO\), not a file" \
  run good.toml --out out --no-report --quiet
rm "$WORK/s/asfr.csv"
mv "$WORK/s/asfr.real" "$WORK/s/asfr.csv"

# A companion file GDAL would open by itself (base.csvt next to base.csv) that is a FIFO.
mkfifo "$WORK/s/base.csvt"
expect sidecar_fifo "its companion file base.csvt is a named pipe \(FIFO\)" validate good.toml
rm "$WORK/s/base.csvt"

# The scenario file itself.
mkfifo "$WORK/s/pipe.toml"
expect scenario_fifo "scenario 'pipe.toml': is a named pipe \(FIFO\), not a file" validate pipe.toml
mkdir "$WORK/s/folder.toml"
expect scenario_folder "scenario 'folder.toml': is a folder, not a file" validate folder.toml

# Tables named on the command line (trusted paths, no sandbox): backtest --observed and estimate --levels.
mkfifo "$WORK/s/observed.csv"
expect backtest_observed_fifo "observed.csv: is a named pipe \(FIFO\), not a file" \
  backtest good.toml --observed observed.csv --out out --no-report
expect estimate_levels_fifo "observed.csv: is a named pipe \(FIFO\), not a file" \
  estimate --levels observed.csv --mx mx.csv --srb 105 --out out

# The sanity case: the same folder without pipes validates.
rm "$WORK/s/observed.csv" "$WORK/s/pipe.toml"
(cd "$WORK/s" && timeout 20 "$EXE" validate good.toml >/dev/null 2>&1) || fail "good.toml without pipes does not validate"
# stdout closed (`cohortgis run … | head -0`): SIGPIPE killed the run mid-write and left its out.tmp-PID folder;
# now a failed progress line, and the results are complete (hostile probe 2, round 4).
(cd "$WORK/s" && { timeout 60 "$EXE" run good.toml --out closed --no-report 2>"$WORK/closed.err" | true; } ) ; rc=${PIPESTATUS[0]}
[ -f "$WORK/s/closed/manifest.json" ] || fail "stdout closed: no complete results ($(cat "$WORK/closed.err"))"
! compgen -G "$WORK/s/closed.tmp-*" >/dev/null || fail "stdout closed: left $(ls -d "$WORK"/s/closed.tmp-*)"
# SIGHUP (terminal closed) stops a run like SIGTERM: exit 129, nothing left (it killed the run and left out.tmp-PID).
(cd "$WORK/s" && exec timeout 60 "$EXE" run good.toml --out hup --no-report --quiet 2>"$WORK/hup.err") &
pid=$!
for _ in $(seq 1 500); do compgen -G "$WORK/s/hup.tmp-*" >/dev/null && break; sleep 0.002; done
kill -s HUP "$pid"; wait "$pid"; rc=$?
if [ $rc -eq 129 ]; then
  grep -q "interrupted by SIGHUP" "$WORK/hup.err" || fail "SIGHUP: message: $(cat "$WORK/hup.err")"
  ! compgen -G "$WORK/s/hup*" >/dev/null || fail "SIGHUP: left $(ls -d "$WORK"/s/hup*)"
elif [ $rc -ne 0 ]; then
  fail "SIGHUP: exit $rc, expected 129 (or 0 when the run had finished): $(cat "$WORK/hup.err")"
fi
# Every other terminating signal stops a command like SIGTERM (they killed it and left out.tmp-PID): SIGUSR2 during
# a run, SIGUSR1 during a backtest; exit 128 + the signal, nothing left. The command may
# have finished before the signal (exit 0): only a stop by the signal is checked (tests/app/signal_drawing.sh sends
# SIGQUIT and SIGUSR1 at a known phase).
cp "$FIX/backtest/observed_tiny.csv" "$WORK/s/bt_observed.csv"
stop_case() {  # stop_case SIG OUT COMMAND...
  local sig=$1 out=$2 pid rc want
  shift 2
  (cd "$WORK/s" && exec "$EXE" "$@" 2>"$WORK/$out.err" >/dev/null) &
  pid=$!
  wait_for_handlers "$pid" "$sig" "$EXE"
  for _ in $(seq 1 500); do compgen -G "$WORK/s/$out.tmp-*" >/dev/null && break; sleep 0.002; done
  kill -s "$sig" "$pid" 2>/dev/null; wait "$pid"; rc=$?  # a tiny run may have finished: exit 0 is accepted below
  want=$((128 + $(kill -l "$sig")))
  if [ $rc -eq "$want" ]; then
    grep -q "interrupted by SIG$sig" "$WORK/$out.err" || fail "SIG$sig: message: $(cat "$WORK/$out.err")"
    ! compgen -G "$WORK/s/$out*" >/dev/null || fail "SIG$sig: left $(ls -d "$WORK"/s/"$out"*)"
    echo "ok: SIG$sig stopped '$1' -> exit $rc, nothing left"
  elif [ $rc -ne 0 ]; then
    fail "SIG$sig: exit $rc, expected $want (or 0 when the command had finished): $(cat "$WORK/$out.err")"
  fi
}
stop_case USR2 usr2 run good.toml --out usr2 --no-report --quiet
stop_case USR1 usr1 backtest good.toml --observed bt_observed.csv --out usr1 --no-report --quiet
# Under nohup (SIGHUP ignored when the command starts) a hangup does not stop the run: complete results, exit 0.
(cd "$WORK/s" && trap '' HUP && exec "$EXE" run good.toml --out nohup --no-report --quiet 2>"$WORK/nohup.err") &
pid=$!
for _ in $(seq 1 500); do compgen -G "$WORK/s/nohup.tmp-*" >/dev/null && break; sleep 0.002; done
kill -s HUP "$pid"; wait "$pid"; rc=$?
[ $rc -eq 0 ] && [ -f "$WORK/s/nohup/manifest.json" ] || fail "nohup: exit $rc, expected 0 and results: $(cat "$WORK/nohup.err")"
# Standard streams closed by the caller (hostile probe of round 23): the first files the run opened took descriptors 1
# and 2, and its progress lines went into components.csv under a manifest that recorded the file without them (a
# later `validate --results` warned that it "changed since the run"). They are opened on /dev/null now.
(cd "$WORK/s" && sh -c 'exec <&- >&- 2>&-; exec "$0" "$@"' "$EXE" run good.toml --out fdclosed --format both) ||
  fail "standard streams closed: exit $?"
(cd "$WORK/s" && "$EXE" validate good.toml --results fdclosed >/dev/null 2>"$WORK/fd.err") ||
  fail "standard streams closed: results broken: $(cat "$WORK/fd.err")"
! grep -q "changed since" "$WORK/fd.err" || fail "standard streams closed: results changed: $(cat "$WORK/fd.err")"
! grep -rqa "cohortgis:" "$WORK/s/fdclosed" || fail "standard streams closed: messages in $(grep -rla "cohortgis:" "$WORK/s/fdclosed")"
echo "ok: standard streams closed: results as their manifest records them"
# A listing that cannot be written (a full disk) is exit 1 with a message, not exit 0 with nothing; a reader that has
# gone (`| head -c 1`, cli_help_into_closed_pipe) is still exit 0.
for c in "info base.csv" "validate good.toml" "--version"; do
  # shellcheck disable=SC2086
  (cd "$WORK/s" && exec "$EXE" $c >/dev/full 2>"$WORK/full.err"); rc=$?
  [ $rc -eq 1 ] || fail "$c >/dev/full: exit $rc, expected 1 ($(cat "$WORK/full.err"))"
  grep -q "cannot write to standard output (No space left on device)" "$WORK/full.err" ||
    fail "$c >/dev/full: message $(cat "$WORK/full.err")"
done
echo "ok: standard output on a full disk: exit 1, said so"
# A umask that takes the owner's permission (hostile probe of round 23): under `umask 0777` a run left OUT.tmp-PID of
# mode 000 (its owner could not list it to remove it) and `report` its backup folder; refused first now, naming it.
(cd "$WORK/s" && umask 0777 && exec "$EXE" run good.toml --out um --no-report --quiet 2>"$WORK/um.err"); rc=$?
[ $rc -eq 1 ] || fail "umask 0777: exit $rc, expected 1 ($(cat "$WORK/um.err"))"
grep -q "the umask 0777 takes the owner's read, write or search permission" "$WORK/um.err" ||
  fail "umask 0777: message $(cat "$WORK/um.err")"
! compgen -G "$WORK/s/um*" >/dev/null || fail "umask 0777: left $(ls -d "$WORK"/s/um*)"
echo "ok: umask 0777 refused before anything is created"
echo "special files checked"
