#!/usr/bin/env bash
# What `cohortgis run --out`, `map` and `report` may replace, and the integrity checks of a results folder
# (docs/cli.md "What --out may replace", docs/results.md "manifest.json"):
#  - a folder with a manifest.json and files cohortgis did not write (a web app, a thesis) is refused, exit 1,
#    every file intact, before anything is projected; so are a manifest of an older version and a symbolic link;
#  - a user's folder named like a staging folder (OUT.tmp-PID, OUT.old-PID) is never touched; a staging folder of
#    a run killed with -9 (our marker, a dead pid) is removed by the next run;
#  - map and report list what they draw in manifest.json, so the folder can be replaced later;
#  - report/map refuse results files that changed since the run, and an edited manifest.json; info and validate
#    --results say what changed; changed inputs are warnings.
# Usage: output_safety.sh COHORTGIS_EXE FIXTURES_DIR
set -uo pipefail
EXE=$1
FIX=$2
. "$(dirname "$0")/cli_common.sh"
snapshot() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s 2>/dev/null; find . -type f -print0 | sort -z | xargs -0 sha256sum) ; }

# A small scenario with zone boundaries (six townships of tests/fixtures/geo), so that maps are drawn quickly.
S=$WORK/scenario
mkdir -p "$S"
cp "$FIX/geo/townships.geojson" "$FIX/bad/mx.csv" "$FIX/bad/asfr.csv" "$S/"
{
  echo "zone,sex,age,population"
  for z in T00 T01 T02 T10 T11 T12; do for s in female male; do for a in 0 5 10 15 20; do
    echo "$z,$s,$a,1000"; done; done; done
} > "$S/base.csv"
cat > "$S/scenario.toml" <<'EOF'
[scenario]
name = "output-safety"
language = "en"

[geography]
source = { path = "townships.geojson", id_field = "code", name_field = "name_zh" }

[projection]
base_year = 2020
horizon = 2030
step = 5
open_age = 20

[base_population]
table = "base.csv"

[fertility]
schedule = { path = "asfr.csv" }
tfr = 1.5
srb = 105

[mortality]
mx = { path = "mx.csv", columns = { value = "mx" } }
EOF
run() { "$EXE" run "$S/scenario.toml" --quiet "$@"; }

# 1. The data-loss case: manifest.json next to a web app's sources and a thesis.
U=$WORK/user
mkdir -p "$U/webapp/src" && echo '{"name": "my-web-app"}' > "$U/manifest.json" && echo "thesis" > "$U/thesis.tex" &&
  echo "console.log(1)" > "$U/webapp/src/app.js"
before=$(snapshot "$U")
run --out "$U" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "user folder with manifest.json: exit $rc, expected 1 ($(cat "$WORK/err"))"
grep -q "is not a results folder that cohortgis may replace.*no \"cohortgis_results\" marker" "$WORK/err" ||
  fail "user folder: unclear message: $(cat "$WORK/err")"
[ "$(snapshot "$U")" = "$before" ] || fail "user folder: files changed"
ls -d "$U".tmp-* "$U".old-* >/dev/null 2>&1 && fail "user folder: a temporary folder was left behind"
echo "ok: folder with manifest.json and other files -> $(cat "$WORK/err")"

# 2. Results of an older version (a manifest without the marker) are refused the same way.
O=$WORK/old
mkdir -p "$O" && printf '{\n  "cohortgis_version": "0.0.9",\n  "scenario": {"name": "x"}\n}\n' > "$O/manifest.json" &&
  echo "variant,year" > "$O/population.csv"
before=$(snapshot "$O")
run --out "$O" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "older cohortgis" "$WORK/err" || fail "old-version manifest: exit $rc: $(cat "$WORK/err")"
[ "$(snapshot "$O")" = "$before" ] || fail "old-version manifest: files changed"
echo "ok: old-version results -> refused, intact"

# 3. A symbolic link as --out (to a folder with results, even) is refused; the folder it points to stays.
R=$WORK/res
run --out "$R" --no-report || fail "first run"
grep -q '"cohortgis_results": {"format": 1}' "$R/manifest.json" || fail "no marker in manifest.json"
ln -s "$R" "$WORK/link"
before=$(snapshot "$R")
run --out "$WORK/link" --no-report 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "is a symbolic link" "$WORK/err" || fail "symlinked --out: exit $rc: $(cat "$WORK/err")"
[ "$(snapshot "$R")" = "$before" ] && [ -L "$WORK/link" ] || fail "symlinked --out: changed"
echo "ok: symlinked --out -> $(cat "$WORK/err")"
# ... and so is a link inside a results folder (it could point anywhere).
ln -s "$U" "$R/elsewhere"
run --out "$R" --no-report 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "elsewhere (a symbolic link)" "$WORK/err" || fail "link inside: exit $rc: $(cat "$WORK/err")"
[ -f "$U/thesis.tex" ] || fail "link inside: the linked folder lost files"
rm "$R/elsewhere"
# A file added to a results folder is not deleted with it.
echo "my notes" > "$R/notes.txt"
run --out "$R" --no-report 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "holds files that cohortgis did not write: notes.txt" "$WORK/err" ||
  fail "added file: exit $rc: $(cat "$WORK/err")"
rm "$R/notes.txt"
echo "ok: a link or a file of the user's inside the results -> refused"

# 4. Folders named like staging folders: a user's (no marker) are never touched, whatever the pid; a staging folder
#    of a dead run (our marker, a pid that is gone) is removed.
sleep 0 & dead=$!; wait $dead
for d in "$R.tmp-1" "$R.tmp-$dead" "$R.old-$dead" "$R.tmp-$dead-1"; do mkdir -p "$d" && echo "mine" > "$d/keep.txt"; done
mkdir -p "$R.tmp-$((dead + 1))" && printf 'cohortgis staging folder\npid %s\nstart 1\n' "$dead" > "$R.tmp-$((dead + 1))/.cohortgis-staging" &&
  echo half > "$R.tmp-$((dead + 1))/population.csv"
mkdir -p "$R.old-$((dead + 2))" && printf 'cohortgis staging folder\npid %s\nstart 1\n' "$dead" > "$R.old-$((dead + 2))/.cohortgis-staging"
run --out "$R" 2>"$WORK/err" || fail "run next to staging-like folders: $(cat "$WORK/err")"
for d in "$R.tmp-1" "$R.tmp-$dead" "$R.old-$dead" "$R.tmp-$dead-1"; do
  [ "$(cat "$d/keep.txt" 2>/dev/null)" = mine ] || fail "user folder $d was touched"
done
[ ! -e "$R.tmp-$((dead + 1))" ] && [ ! -e "$R.old-$((dead + 2))" ] || fail "stale staging folders of a dead run were not removed"
n=$(ls -d "$R".tmp-* "$R".old-* | wc -l)
[ "$n" -eq 4 ] || fail "expected only the 4 user folders next to the results, found $n: $(ls -d "$R".*)"
rm -rf "$R".tmp-* "$R".old-*
echo "ok: user folders named like staging folders untouched; a dead run's staging folders removed"

# 5. map and report list what they draw in manifest.json; the folder can then be replaced.
"$EXE" map "$R" --indicator population --year 2030 >"$WORK/out" 2>"$WORK/err" || fail "map: $(cat "$WORK/err")"
grep -q '"path": "maps/population_2030.png"' "$R/manifest.json" || fail "map: not listed in manifest.json"
"$EXE" report "$R" >"$WORK/out" 2>"$WORK/err" || fail "report: $(cat "$WORK/err")"
! grep -q "cohortgis: warning" "$WORK/err" || fail "report warned on intact results: $(cat "$WORK/err")"
grep -q '"path": "report.html"' "$R/manifest.json" && grep -q '"path": "charts/pyramid_T00.png"' "$R/manifest.json" ||
  fail "report: figures not listed in manifest.json"
"$EXE" info "$R" >"$WORK/out" 2>"$WORK/err" || fail "info"
grep -q "integrity  [0-9]* results files as cohortgis wrote them; inputs unchanged" "$WORK/out" || fail "info: $(cat "$WORK/out")"
run --out "$R" 2>"$WORK/err" || fail "run over results with maps and report: $(cat "$WORK/err")"
echo "ok: map and report update manifest.json; the folder is replaced afterwards"

# 6. Integrity: an edited results file, an edited manifest, a changed input.
cp -r "$R" "$WORK/edited"
sed -i '2y/0123456789/1234567890/' "$WORK/edited/population.csv"  # same size: the hash tells
"$EXE" report "$WORK/edited" >"$WORK/out" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "population.csv (sha256 .* then, .* now) changed since the run" "$WORK/err" ||
  fail "edited population.csv: report exit $rc: $(cat "$WORK/err")"
"$EXE" map "$WORK/edited" --year 2030 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "edited population.csv: map exit $rc"
"$EXE" info "$WORK/edited" >"$WORK/out" 2>&1 || fail "info on edited results"
grep -q "NOT VERIFIED" "$WORK/out" && grep -q "warning: results file population.csv" "$WORK/out" ||
  fail "info on edited results: $(cat "$WORK/out")"
run --out "$WORK/edited" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "files changed since cohortgis wrote them: population.csv" "$WORK/err" ||
  fail "run over edited results: exit $rc: $(cat "$WORK/err")"
echo "ok: edited population.csv -> report/map refuse, info says so, run does not replace it"

cp -r "$R" "$WORK/manifest_edited"
sed -i 's/"name": "output-safety"/"name": "something else"/' "$WORK/manifest_edited/manifest.json"
grep -q '"name": "something else"' "$WORK/manifest_edited/manifest.json" || fail "test set-up: name not edited"
"$EXE" report "$WORK/manifest_edited" >"$WORK/out" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "manifest.json was edited after cohortgis wrote it" "$WORK/err" ||
  fail "edited manifest: report exit $rc: $(cat "$WORK/err")"
"$EXE" info "$WORK/manifest_edited" >"$WORK/out" 2>&1
grep -q "warning: .*manifest.json was edited" "$WORK/out" || fail "info on an edited manifest: $(cat "$WORK/out")"
echo "ok: edited manifest.json -> report refuses, info warns"

sed -i 's/^T00,female,0,1000$/T00,female,0,1001/' "$S/base.csv"
"$EXE" report "$R" >"$WORK/out" 2>"$WORK/err" || fail "report after an input changed: $(cat "$WORK/err")"
grep -q "warning: input base.csv (base_population.table) changed since the run" "$WORK/err" ||
  fail "report: no warning for the changed input: $(cat "$WORK/err")"
"$EXE" info "$R" >"$WORK/out" 2>&1
grep -q "1 of the [0-9]* inputs changed or gone" "$WORK/out" || fail "info after an input changed: $(cat "$WORK/out")"
"$EXE" validate "$S/scenario.toml" --results "$R" >"$WORK/out" 2>"$WORK/err" || fail "validate --results"
grep -q "base.csv (base_population.table) changed since the results" "$WORK/err" || fail "validate --results: $(cat "$WORK/err")"
echo "ok: a changed input -> warnings from report, info and validate --results"

# 7. A file in the way that cohortgis did not write is not overwritten by report.
run --out "$R" --no-report 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
mkdir -p "$R/charts" && echo "mine" > "$R/charts/pyramid_T00.png"
"$EXE" report "$R" >"$WORK/out" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "pyramid_T00.png: exists and was not written by cohortgis" "$WORK/err" ||
  fail "report over a user's file: exit $rc: $(cat "$WORK/err")"
[ "$(cat "$R/charts/pyramid_T00.png")" = mine ] || fail "report overwrote a user's file"
echo "ok: report does not draw over a file it did not write -> $(cat "$WORK/err")"

# 8. Results whose maps/ folder this user cannot write: replacing them would move them aside and fail to remove
# them (OUT.old-PID was left behind without a word, hostile probe round 16). Refused before anything is done. Root
# writes anywhere: the run is then made by nobody (setpriv), in a copy that nobody can reach.
N=$WORK/ro_parent
mkdir -p "$N" && cp -r "$S" "$N/scenario" && "$EXE" run "$N/scenario/scenario.toml" --quiet --out "$N/res" ||
  fail "read-only set-up run"
as_user=()
if [ "$(id -u)" = 0 ]; then
  chmod 755 "$WORK" && chown -R 65534:65534 "$N" && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
chmod a-w "$N/res/maps"
before=$(snapshot "$N/res")
"${as_user[@]}" "$EXE" run "$N/scenario/scenario.toml" --quiet --out "$N/res" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && grep -q "res: read-only (no write permission on maps): the previous results could not be removed" \
  "$WORK/err" || fail "read-only results: exit $rc: $(cat "$WORK/err")"
[ "$(snapshot "$N/res")" = "$before" ] || fail "read-only results: files changed"
ls -d "$N"/res.tmp-* "$N"/res.old-* >/dev/null 2>&1 && fail "read-only results: a temporary folder was left behind"
echo "ok: results with a read-only folder are refused, nothing left -> $(cat "$WORK/err")"

# 9. Runs into one --out at once (hostile probe of round 20): each checked the folder and swapped its results in; a
# check meeting another's half-done swap refused the folder ("files changed since cohortgis wrote them", "cannot be
# read"), and a swap that found another's results already in place failed and left the previous results behind as
# OUT.old-PID. The check and the swap are now done one run at a time: every run succeeds, one whole result is left.
C=$WORK/concurrent
mkdir -p "$C" && cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" \
  "$FIX/scenarios/mx.csv" "$C/"
for round in 1 2 3; do
  pids=()
  for k in 0 1 2 3; do
    v=$([ $k -lt 2 ] && echo baseline || echo more)
    "$EXE" run "$C/good.toml" --quiet --no-report --variant "$v" --out "$C/res" 2>"$WORK/err_${round}_$k" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "concurrent runs, round $round: exit $?: $(cat "$WORK"/err_"$round"*)"; done
  ls -d "$C"/res.tmp-* "$C"/res.old-* >/dev/null 2>&1 && fail "concurrent runs, round $round: $(ls "$C") left"
  "$EXE" validate "$C/good.toml" --results "$C/res" >/dev/null 2>"$WORK/err" ||
    fail "concurrent runs, round $round: results broken: $(cat "$WORK/err")"
done
echo "ok: four runs into one --out at once, three times: each exits 0, one whole result, nothing left"

# 10. `..` after a symbolic link (hostile probe of round 22): --out L/../res with L a link to far/deep is far/res for
# the system, but a lexical ".." made it res beside L, and the results there were replaced instead.
D=$WORK/dotdot
mkdir -p "$D/far/deep" && ln -s "$D/far/deep" "$D/l" && cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" \
  "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$D/"
"$EXE" run "$D/good.toml" --quiet --no-report --out "$D/res" 2>"$WORK/err" || fail "dotdot: first run: $(cat "$WORK/err")"
before=$(snapshot "$D/res")
(cd "$D" && "$EXE" run good.toml --quiet --no-report --out l/../res 2>"$WORK/err") || fail "dotdot: $(cat "$WORK/err")"
[ -f "$D/far/res/manifest.json" ] || fail "dotdot: no results in far/res ($(ls "$D" "$D/far"))"
[ "$(snapshot "$D/res")" = "$before" ] || fail "dotdot: the results beside the link were replaced"
echo "ok: --out l/../res is far/res, as the system resolves it; res beside the link untouched"

echo "output safety checked"
