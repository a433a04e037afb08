#!/usr/bin/env bash
# The report of `cohortgis run` takes indicators.csv from memory (app/src/written_indicators.hpp; issue #16, round
# 10): its report.html (but for the "generated" minute), charts and maps are the bytes `cohortgis report DIR` makes
# from the same folder's files, for the five-year Beijing example (the indicators handed over), the default scenario and
# the Beijing planning fixture (households appended to indicators.csv after it was closed: read back from the file). With the indicators
# handed over, results.nc's SHA-256 is read while the report is made (run.cpp): manifest.json lists every file with its
# size and SHA-256 all the same. Round 11: a run whose indicators are over the memory bound (1,000 zones, 80 years: 8.5
# million values) and that writes results.nc takes them from results.nc instead of parsing indicators.csv; its
# report is the same bytes too. manifest.json "timings" says where each report took them from. Round 12: the netcdf
# format (by size here) writes no indicators.csv: `cohortgis report` reads results.nc, the same bytes as from the CSV.
# Usage: report_handover.sh COHORTGIS_EXE DATA_DIR FIXTURES_DIR BENCH_TOOL
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
FIXTURES=$3
BENCH_TOOL=$4
. "$(dirname "$0")/cli_common.sh"

check() {  # check NAME SOURCE SCENARIO [ARGS]: run, keep the report's files, `cohortgis report`, compare
  local name=$1 source=$2 scenario=$3
  shift 3
  "$EXE" run "$scenario" --out "$WORK/$name" --threads 2 --quiet "$@" || fail "$name: run"
  /usr/bin/python3 - "$WORK/$name" <<'PY' || fail "$name: manifest.json does not list the files as they are"
import hashlib, json, os, sys
d = sys.argv[1]
files = json.load(open(os.path.join(d, "manifest.json")))["files"]
for f in files:
    data = open(os.path.join(d, f["path"]), "rb").read()
    assert f["size"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest(), f["path"]
assert any(f["path"] == "results.nc" for f in files) == os.path.exists(os.path.join(d, "results.nc"))
PY
  /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["timings"]["report_indicators"])' \
    "$WORK/$name/manifest.json" | grep -qx "$source" || fail "$name: the report did not take the indicators from $source"
  mkdir -p "$WORK/$name.run"
  (cd "$WORK/$name" && cp -r report.html charts $( [ -d maps ] && echo maps) "$WORK/$name.run/") || fail "$name: copy"
  "$EXE" report "$WORK/$name" > /dev/null || fail "$name: cohortgis report"
  local n=0 f
  while IFS= read -r f; do
    cmp -s "$WORK/$name.run/$f" "$WORK/$name/$f" || fail "$name: $f differs between the run's report and cohortgis report"
    n=$((n + 1))
  done < <(cd "$WORK/$name.run" && find charts maps -type f 2>/dev/null | sort)
  [ "$n" -ge 4 ] || fail "$name: only $n figures compared"
  local stamp='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC'
  cmp -s <(sed -E "s/$stamp/TIME/" "$WORK/$name.run/report.html") <(sed -E "s/$stamp/TIME/" "$WORK/$name/report.html") ||
    fail "$name: report.html differs between the run's report and cohortgis report"
  echo "ok: $name: report.html and $n figures the same"
}

# The default scenario has [households] (households appended to indicators.csv: read back, as the planning fixture);
# the five-year example has none (the indicators handed over).
check default indicators.csv default --format both
check five_year memory "$FIXTURES/../../scenarios/examples/beijing-2020-five-year/scenario.toml" --format both
check planning indicators.csv "$FIXTURES/planning/beijing_planning.toml"
"$BENCH_TOOL" scenario --zones 1000 --steps 80 --population-form netcdf --out "$WORK/w1k" > /dev/null || fail "bench_tool"
# Round 12: that run's format by size is netcdf, which writes no indicators.csv; `cohortgis report` then reads the
# indicators from results.nc too. With --indicators-csv it reads indicators.csv: the same report and figures.
check cube results.nc "$WORK/w1k/scenario.toml" --components none
[ -f "$WORK/cube/results.nc" ] && [ ! -e "$WORK/cube/indicators.csv" ] ||
  fail "cube: the format by size wrote no results.nc, or indicators.csv"
check cube_csv results.nc "$WORK/w1k/scenario.toml" --format netcdf --components none --indicators-csv
[ -f "$WORK/cube_csv/indicators.csv" ] || fail "cube_csv: no indicators.csv with --indicators-csv"
n=0
while IFS= read -r f; do
  cmp -s "$WORK/cube/$f" "$WORK/cube_csv/$f" || fail "$f differs between reports from results.nc and indicators.csv"
  n=$((n + 1))
done < <(cd "$WORK/cube" && find charts maps -type f 2>/dev/null | sort)
[ "$n" -ge 4 ] || fail "only $n figures compared between the two folders"
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC'
cmp -s <(sed -E "s/$stamp/TIME/" "$WORK/cube/report.html") <(sed -E "s/$stamp/TIME/" "$WORK/cube_csv/report.html") ||
  fail "report.html differs between reports from results.nc and indicators.csv"
echo "ok: the report from results.nc alone is the report from indicators.csv ($n figures)"
echo "report hand-over checked"
