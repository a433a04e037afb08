#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the hostile probe of round 24 (tests/probe/hostile_round24.py) found in the command line, each case exit 1
# with a message saying what to fix, nothing written and no staging folder left: a working folder another process
# deleted (relative paths were "internal error: filesystem error", exit 2); a limit on the user's processes and
# threads (ulimit -u: "internal error: Resource temporarily unavailable", exit 2, or oneTBB or GLib ending the process
# with SIGABRT or SIGTRAP, leaving OUT.tmp-PID); `--out --quiet` (results written into a folder named --quiet); a
# command in capitals ("unrecognised option '--out'"); 40,000 words (boost's parser is quadratic: 100,000 took 55 s);
# a 3000-byte unknown option (echoed whole); `--format ''` (the default, without a word).
# Usage: command_line_round24.sh COHORTGIS_EXE FIXTURES_DIR
set -uo pipefail
EXE=$1
FIX=$2
. "$(dirname "$0")/cli_common.sh"
chmod 755 "$WORK"
mkdir -p "$WORK/s"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$WORK/s/"

# expect NAME PATTERN PREFIX... :: ARGS...: `PREFIX cohortgis ARGS` in $WORK/s exits 1 within 20 s with PATTERN in
# its stderr and nothing under $WORK/s changes.
expect() {
  local name=$1 pattern=$2 prefix=() err rc before after
  shift 2
  while [ "$1" != "::" ]; do prefix+=("$1"); shift; done
  shift
  before=$(cd "$WORK/s" && find . | sort)
  err=$(cd "$WORK/s" && timeout 20 "${prefix[@]}" "$EXE" "$@" 2>&1 >/dev/null)
  rc=$?
  after=$(cd "$WORK/s" && find . | sort)
  [ "$rc" -eq 124 ] && fail "$name: hung (killed after 20 s)"
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1 ($err)"
  echo "$err" | grep -Eq -- "$pattern" || fail "$name: message '$err' does not match '$pattern'"
  [ "$before" = "$after" ] || fail "$name: wrote or left $(diff <(echo "$before") <(echo "$after") | head -3)"
  echo "ok: $name"
}

# A working folder removed before cohortgis starts (sh removes its own folder, then execs cohortgis).
gone=(sh -c 'mkdir -p "$G" && cd "$G" && rmdir "$G" && exec "$0" "$@"')
export G=$WORK/gone
expect cwd_gone_run "output folder 'out': a relative path, and the working folder cannot be found" "${gone[@]}" :: \
  run "$WORK/s/good.toml" --out out --quiet --no-report
# Results with zone boundaries, for map and report.
square() { echo "{\"type\":\"Feature\",\"properties\":{\"id\":\"$1\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[$2,39],[$3,39],[$3,39.1],[$2,39.1],[$2,39]]]}}"; }
echo "{\"type\":\"FeatureCollection\",\"features\":[$(square A 116 116.1),$(square B 116.1 116.2)]}" > "$WORK/s/zones.geojson"
sed 's/^\[projection\]/[geography.source]\npath = "zones.geojson"\nid_field = "id"\n\n[projection]/' \
  "$WORK/s/good.toml" > "$WORK/s/geo.toml"
(cd "$WORK/s" && "$EXE" run geo.toml --out res --quiet >/dev/null 2>&1) || fail "the results for map"
expect cwd_gone_map_out "--out 'm.png': a relative path, and the working folder cannot be found" "${gone[@]}" :: \
  map "$WORK/s/res" --year 2025 --out m.png
# Absolute paths work from a deleted folder.
(mkdir -p "$G" && cd "$G" && rmdir "$G" && "$EXE" run "$WORK/s/good.toml" --out "$WORK/abs" --quiet --no-report) ||
  fail "cwd_gone_absolute: a run with absolute paths from a deleted folder failed"
[ -f "$WORK/abs/manifest.json" ] || fail "cwd_gone_absolute: no results"
echo "ok: cwd_gone_absolute"

# A limit on processes and threads: as root it holds only for another user (nobody). Under AddressSanitizer its leak
# check starts a thread at exit, which the limit refuses ("LeakSanitizer has encountered a fatal error", exit 134):
# off for these runs (the last ASAN_OPTIONS setting wins; other builds ignore the variable).
no_leak_check=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
limited=("${no_leak_check[@]}" prlimit --nproc=1 --)
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || { echo "setpriv missing: the process-limit cases need it as root"; exit 1; }
  chown -R 65534:65534 "$WORK/s"
  limited=("${no_leak_check[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=1 --)
fi
expect nproc_run "cannot start a thread .*\(ulimit -u\)" "${limited[@]}" :: run good.toml --out out --threads 4 --quiet
expect nproc_report "cannot start .*thread.*\(ulimit -u\)" "${limited[@]}" :: report res
expect nproc_map "cannot start .*thread.*\(ulimit -u\)" "${limited[@]}" :: map res --year 2025 --out m.png
# Enough for the run but not for pango's threads behind the drawing: GLib ended the process (SIGTRAP).
if [ "$(id -u)" -eq 0 ]; then
  for n in 3 4 5 6; do
    err=$(cd "$WORK/s" && "${no_leak_check[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=$n -- "$EXE" run \
      good.toml --out "out$n" --threads 2 --quiet 2>&1)
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "nproc_$n: exit $rc ($err)"
    ls "$WORK/s" | grep -q "tmp-" && fail "nproc_$n: left $(ls "$WORK/s" | grep tmp-)"
    rm -rf "$WORK/s/out$n"
  done
  echo "ok: nproc 3 to 6 with the report"
  # Room for some of oneTBB's workers only: it ended the process (std::terminate, SIGABRT) in about 1 run of 2.
  for n in 4 5 4 5 4 5; do
    err=$(cd "$WORK/s" && "${no_leak_check[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups prlimit --nproc=$n -- "$EXE" run \
      good.toml --out "out$n" --threads 4 --quiet --no-report 2>&1)
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "nproc_${n}_threads_4: exit $rc ($err)"
    ls "$WORK/s" | grep -q "tmp-" && fail "nproc_${n}_threads_4: left $(ls "$WORK/s" | grep tmp-)"
    rm -rf "$WORK/s/out$n"
  done
  echo "ok: nproc 4 and 5 with 4 threads"
fi

expect out_is_option "--out '--quiet': looks like an option, not a path" :: run good.toml --out --quiet --no-report
expect command_capitals "unknown command 'RUN'" :: RUN good.toml --out out
words=()
for i in $(seq 40000); do words+=(good.toml); done
start=$(date +%s)
expect words_40000 "40001 command-line words; expected at most 32768" :: run "${words[@]}"
[ $(($(date +%s) - start)) -le 5 ] || fail "words_40000: took over 5 s"
long=$(printf 'x%.0s' $(seq 3000))
expect option_3000_bytes "unrecognised option '--x{50,60}…' \(see --help\)$" :: run good.toml "--$long"
expect format_empty "--format: ''; expected csv, netcdf or both" :: run good.toml --out out --format ""
echo "command line round 24 checked"
