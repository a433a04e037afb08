#!/usr/bin/env bash
# Reproducibility: the same scenario gives byte-identical CSV outputs and results.gpkg (no wall-clock time in
# gpkg_contents.last_change or layer_styles.update_time) at 1 and 2 threads, and `cohortgis validate
# --results DIR` warns when an input changed since DIR was made (manifest.json keeps the inputs' SHA-256).
# Usage: reproducibility.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
. "$(dirname "$0")/cli_common.sh"

cp -r "$EXAMPLES/beijing-2020" "$WORK/scenario"
"$EXE" run "$WORK/scenario/scenario.toml" --out "$WORK/one" --threads 1 --quiet --no-report || fail "run at 1 thread"
"$EXE" run "$WORK/scenario/scenario.toml" --out "$WORK/two" --threads 2 --quiet --no-report || fail "run at 2 threads"
for f in population.csv components.csv indicators.csv plan_periods.csv targets.csv service_demand.csv zones.csv; do
  cmp -s "$WORK/one/$f" "$WORK/two/$f" || fail "$f differs between 1 and 2 threads"
done
echo "ok: CSV outputs byte-identical at 1 and 2 threads"
# results.gpkg (written with the report): the five-year example, baseline only, keeps this part short.
for n in 1 2; do
  "$EXE" run "$EXAMPLES/beijing-2020-five-year/scenario.toml" --out "$WORK/gpkg$n" --threads $n --variant baseline \
    --quiet || fail "run with the report at $n threads"
done
[ -s "$WORK/gpkg1/results.gpkg" ] || fail "no results.gpkg"
cmp -s "$WORK/gpkg1/results.gpkg" "$WORK/gpkg2/results.gpkg" || fail "results.gpkg differs between two runs: $(
  for n in 1 2; do /usr/bin/python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
print(c.execute("select group_concat(last_change) from gpkg_contents").fetchone(),
      c.execute("select group_concat(update_time) from layer_styles").fetchone())' "$WORK/gpkg$n/results.gpkg"; done)"
echo "ok: results.gpkg byte-identical (timestamps fixed at the epoch)"

"$EXE" validate "$WORK/scenario/scenario.toml" --results "$WORK/one" >"$WORK/out" 2>"$WORK/err" || fail "validate"
grep -q "inputs unchanged" "$WORK/out" || fail "validate --results on unchanged inputs: $(cat "$WORK/out" "$WORK/err")"
[ ! -s "$WORK/err" ] || fail "validate warned on unchanged inputs: $(cat "$WORK/err")"
echo "# edited after the run" >> "$WORK/scenario/scenario.toml"
"$EXE" validate "$WORK/scenario/scenario.toml" --results "$WORK/one" >"$WORK/out" 2>"$WORK/err" || fail "validate after edit"
grep -q "warning: scenario.toml (scenario file) changed since the results in" "$WORK/err" ||
  fail "no warning for the edited scenario: $(cat "$WORK/out" "$WORK/err")"
echo "ok: validate --results warns: $(cat "$WORK/err")"
echo "reproducibility checked"
