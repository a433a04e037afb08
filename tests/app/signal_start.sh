#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A stop signal at the start of a command (round 25, h138's note): the handlers were installed only after the
# command's words were parsed, so a SIGTERM or SIGINT in between killed the process by the default action, without
# "interrupted by" and without the exit status the process itself gives (143/130). Now a writing command (run, map,
# report, estimate, backtest) installs them before parsing.
#  1. Deterministic: 30,000 words (boost's parser takes 0.6 s of CPU or more over them), the signal once main() has
#     started: exit 128 + N with the stop message within 2 s, nothing written.
#  2. Many times, the signal 0-250 ms after the exec (before main() too: the kernel's default then, which a shell
#     reports as 128 + N alike): the status 128 + N, nothing partial (no OUT.tmp-PID), the earlier results untouched;
#     or exit 0 where the run finished first.
# Usage: signal_start.sh COHORTGIS_EXE FIXTURES_DIR [ROUNDS]
set -uo pipefail
EXE=$1
FIX=$2
ROUNDS=${3:-60}
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"
mkdir -p "$WORK/s"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$WORK/s/"
cd "$WORK/s" || fail "cd"
"$EXE" run good.toml --out out --quiet --no-report >/dev/null 2>&1 || fail "the earlier results"
digest() { (cd out && find . -type f -exec sha256sum {} + | sort); }
before=$(digest)
nothing_partial() {  # WHAT: no staging folder left, the earlier results as they were
  local left
  left=$(ls -d out.tmp-* 2>/dev/null)
  [ -z "$left" ] || fail "$1: left $left"
  [ "$(digest)" = "$before" ] || fail "$1: the earlier results changed"
}
# exec_seen PID: returns once PID runs the executable (not the shell's copy before the exec) or has ended.
exec_seen() {
  local exe
  exe=$(readlink -f "$EXE")
  for _ in $(seq 1 5000); do
    kill -0 "$1" 2>/dev/null || return 0
    [ "$(readlink -f "/proc/$1/exe" 2>/dev/null)" = "$exe" ] && return 0
    sleep 0.001
  done
  fail "pid $1 never ran $EXE"
}

# in_main PID: returns once PID ignores SIGPIPE (SigIgn of /proc/PID/status), the first thing main() does in every
# command, before it looks at its words; or once PID has ended.
in_main() {
  local ign
  for _ in $(seq 1 5000); do
    kill -0 "$1" 2>/dev/null || return 0
    ign=$(awk '/^SigIgn/ {print $2}' "/proc/$1/status" 2>/dev/null)
    [ -n "$ign" ] && (( 0x$ign & (1 << 12) )) && [ "$(readlink -f "/proc/$1/exe")" = "$(readlink -f "$EXE")" ] && return 0
    sleep 0.001
  done
  fail "pid $1 never reached main()"
}

# 1. While the words are parsed.
words=()
for _ in $(seq 1 14990); do words+=(--variant v); done
for sig in TERM INT; do
  "$EXE" run good.toml --out out --quiet --no-report "${words[@]}" >/dev/null 2>"$WORK/err" &
  pid=$!
  in_main "$pid"
  sleep 0.05  # past the few instructions before the parse, which takes 0.6 s of CPU or more
  t0=$(date +%s%N)
  send_signal "$sig" "$pid" "while parsing"
  wait "$pid"
  rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  expect_stopped "$sig" "$rc" "$ms" "while the 30,000 words were parsed"
  nothing_partial "SIG$sig while parsing"
  echo "ok: SIG$sig while parsing: exit $rc after $ms ms"
done

# 2. Right after the exec, many times.
stopped=0 killed=0 finished=0
for i in $(seq 1 "$ROUNDS"); do
  sig=$([ $((i % 2)) -eq 0 ] && echo TERM || echo INT)
  want=$((128 + $(kill -l "$sig")))
  "$EXE" run good.toml --out out --quiet --no-report >/dev/null 2>"$WORK/err" &
  pid=$!
  exec_seen "$pid"
  ms=$((i * 37 % 250))  # 0-250 ms after the exec: while the system loads the program, in main(), in the run
  sleep "$(printf '0.%03d' "$ms")"
  kill -s "$sig" "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  if [ "$rc" -eq 0 ]; then
    finished=$((finished + 1))  # the run finished first: its results replaced the earlier ones
    before=$(digest)
    continue
  fi
  [ "$rc" -eq "$want" ] || fail "SIG$sig $i: exit $rc, expected $want or 0 ($(cat "$WORK/err"))"
  if grep -q "interrupted by SIG$sig" "$WORK/err"; then stopped=$((stopped + 1)); else killed=$((killed + 1)); fi
  nothing_partial "SIG$sig $i"
done
echo "ok: $ROUNDS signals right after the exec: $stopped stopped, $killed killed before main(), $finished finished first"
echo "signals at the start handled"
