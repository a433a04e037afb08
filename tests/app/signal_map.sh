#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SIGTERM (and SIGINT) while `cohortgis map` draws a large map (hostile probe 3: `map` installed no signal handlers, so
# a signal killed it and could leave maps/<file>.tmp-PID): it must exit 128 + the signal within 2 s, print the stop
# message, and leave the results folder as it was: no map file, no temporary file, manifest.json unchanged.
# Cases: the signal while the PNG is encoded (a 600 dpi map: no cancel check inside zlib; since the faster PNG writer of
# round 7 the encoding ends well within the watchdog's 0.5 s, so the stop request is checked once it is encoded),
# early (loading and drawing, the cancel checks' path), and an SVG (its file exists from the start).
# Usage: signal_map.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
. "$(dirname "$0")/cli_common.sh"
. "$(dirname "$0")/signal_common.sh"

"$EXE" run "$EXAMPLES/nc-counties/scenario.toml" --out "$WORK/res" --quiet 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
listing() { (cd "$WORK/res" && find . -type f | sort && sha256sum manifest.json); }
listing >"$WORK/before"

# sig, format, when: "encoding" (once the temporary map file exists) or a delay in seconds
check() {
  local sig=$1 fmt=$2 when=$3
  local dpi=()  # a resolution for a PNG only (an SVG's --dpi is refused)
  [ "$fmt" = png ] && dpi=(--dpi 600)
  "$EXE" map "$WORK/res" --indicator population --year 2004 "${dpi[@]}" --format "$fmt" --out "$WORK/res/maps/big.$fmt" \
    >"$WORK/out" 2>"$WORK/err" &
  local pid=$!
  if [ "$when" = encoding ]; then
    local seen=""
    for _ in $(seq 1 3000); do
      if compgen -G "$WORK/res/maps/big.$fmt.tmp-*" >/dev/null; then seen=1; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.005
    done
    [ -n "$seen" ] || { wait "$pid"; fail "SIG$sig $fmt: the temporary map never appeared (exit $?: $(cat "$WORK/err"))"; }
    # Stopped at once, so that the signal lands while the file is written and not after the last check (an SVG map
    # is written in ≈ 0.1 s, and on a loaded machine a signal sent after a fixed delay came once it was in place:
    # exit 0); it is handled when the process continues.
    kill -STOP "$pid"
  else
    wait_for_handlers "$pid" "$sig" "$EXE"
    sleep "$when"
  fi
  local t0 rc ms
  t0=$(date +%s%N)
  send_signal "$sig" "$pid" "$fmt ($when)"
  [ "$when" = encoding ] && kill -CONT "$pid"
  wait "$pid"; rc=$?
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  expect_stopped "$sig" "$rc" "$ms" "$fmt ($when)"
  listing >"$WORK/after"
  diff "$WORK/before" "$WORK/after" >/dev/null || fail "SIG$sig $fmt ($when): the results folder changed: $(diff "$WORK/before" "$WORK/after")"
  echo "ok: SIG$sig during 'cohortgis map' ($fmt, $when) -> exit $rc after $ms ms, results folder unchanged"
}
check TERM png encoding
check INT png 0.05
check TERM svg encoding
# --dpi beyond 600 (1e9 was an allocation of gigabytes) is refused before drawing, the folder unchanged.
"$EXE" map "$WORK/res" --indicator population --year 2004 --dpi 1e9 --out "$WORK/res/maps/big.png" >/dev/null 2>"$WORK/err"
rc=$?
[ $rc -eq 1 ] && grep -q -- "--dpi: 1e+09; expected 10 to 600" "$WORK/err" || fail "--dpi 1e9: exit $rc: $(cat "$WORK/err")"
listing >"$WORK/after"
diff "$WORK/before" "$WORK/after" >/dev/null || fail "--dpi 1e9 changed the results folder"
# Without a signal the same map is drawn and listed in manifest.json (the test above could not pass by never drawing).
"$EXE" map "$WORK/res" --indicator population --year 2004 --format png --out "$WORK/res/maps/big.png" >/dev/null \
  2>"$WORK/err" || fail "map without a signal: $(cat "$WORK/err")"
[ -s "$WORK/res/maps/big.png" ] && grep -q '"maps/big.png"' "$WORK/res/manifest.json" || fail "map without a signal: not written or not listed"
echo "signals during map handled"
