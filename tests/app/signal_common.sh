# SPDX-License-Identifier: Apache-2.0
# Sourced by the signal tests. wait_for_handlers PID SIG EXE: returns once the process PID runs EXE and has its handler
# for SIG installed (SigCgt of /proc/PID/status holds the signal's bit), or once it has ended; fails the test if that
# never happens. Before that, the signal meets the default action (SIGINT is even ignored in a script's background
# job), not cohortgis. `cmd &` returns right after the fork: until the exec, /proc/PID/status is the shell's copy,
# and the script's bash catches SIGINT, SIGTERM and others (seen: SigCgt 43817efb), so the executable is checked
# first. CI's ASan run failed so ("SIGINT png (0.05): exit 0"): the bit was seen in the shell's copy, SIGINT was sent
# before cohortgis had installed its handler, was ignored as a background job's SIGINT is, and the map was drawn.
# Where the signal could not be sent because the command had ended, send_signal says so.
wait_for_handlers() {
  local pid=$1 sig=$2 exe cgt
  exe=$(readlink -f "$3")
  local bit=$(( 1 << ($(kill -l "$sig") - 1) ))
  for _ in $(seq 1 10000); do
    kill -0 "$pid" 2>/dev/null || return 0  # ended: the caller's wait reports how
    if [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]; then
      cgt=$(awk '/^SigCgt/ {print $2}' "/proc/$pid/status" 2>/dev/null)
      [ -n "$cgt" ] && (( 0x$cgt & bit )) && return 0
    fi
    sleep 0.002
  done
  echo "FAIL: SIG$sig: $3 (pid $pid) had not installed its handler after 10,000 looks"
  exit 1
}
# send_signal SIG PID WHAT: sends the signal, failing the test where the process had already ended (the test would
# otherwise report the command's own exit status as if the signal had been ignored).
send_signal() {
  kill -s "$1" "$2" 2>/dev/null || { echo "FAIL: SIG$1 $3: the process had ended before the signal was sent"; exit 1; }
}
# expect_stopped SIG RC MS WHAT: the command stopped as the signal asks: exit 128 + the signal, within 2 s of it
# (MS), with the stop message in $WORK/err; otherwise fails the test (fail of the sourcing script) naming WHAT.
expect_stopped() {
  local sig=$1 rc=$2 ms=$3 what=$4
  local want=$((128 + $(kill -l "$sig")))
  [ "$rc" -eq "$want" ] || fail "SIG$sig $what: exit $rc, expected $want ($(cat "$WORK/err"))"
  [ "$ms" -lt 2000 ] || fail "SIG$sig $what: exit after $ms ms, expected under 2 s"
  grep -q "interrupted by SIG$sig" "$WORK/err" || fail "SIG$sig $what: killed, not stopped: $(cat "$WORK/err")"
}
# wait_for_glob PID GLOB TRIES: returns 0 once a path matches GLOB (the phase the test stops has begun), 1 when the
# process PID has ended or TRIES looks 0.01 s apart have found nothing.
wait_for_glob() {
  local pid=$1 glob=$2 tries=$3
  for _ in $(seq 1 "$tries"); do
    compgen -G "$glob" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}
