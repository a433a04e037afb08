#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the hostile probe of round 28 (tests/probe/hostile_round28.py) found in the command line: `run
# --no-results-nc-hash` and `--no-direct-chunks` with `--format csv`, and `--seed` without an ensemble, did nothing
# without a word; `estimate --levels --mx-filter`/`--asfr-filter` without `--mx`/`--asfr` likewise; a filter that kept
# no row said "no rows after the filter", naming neither the filter nor what the column holds; an `encoding` declared
# for a source whose text is UTF-8 by its format (GeoPackage, GeoJSON) recoded it, 海淀 read as 娴锋穩. Round 29
# (round 28's review): `--ensemble-memory` without an ensemble and `map --dpi` with `--format svg|pdf` did nothing
# without a word; the encoding refusal named the table's key, not the `encoding` key the user wrote.
# Usage: command_line_round28.sh COHORTGIS_EXE FIXTURES_DIR
set -uo pipefail
EXE=$1
FIX=$2
. "$(dirname "$0")/cli_common.sh"
S=$WORK/s
mkdir -p "$S"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/stochastic.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" \
  "$FIX/scenarios/mx.csv" "$FIX/estimate/levels_mx.csv" "$FIX/estimate/levels_asfr.csv" "$S/"

# expect_error NAME REGEX COMMAND...: exit 1, the message matching REGEX, no out/ and nothing staged beside it.
expect_error() {
  local name=$1 regex=$2
  shift 2
  local err rc
  err=$(cd "$S" && timeout 120 "$EXE" "$@" 2>&1 >/dev/null)
  rc=$?
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1 ($err)"
  echo "$err" | grep -Eq -- "$regex" || fail "$name: message '$err'"
  [ -z "$(ls -A "$S" | grep -E '^out($|\.tmp-|\.old-)')" ] || fail "$name: left $(ls "$S" | grep -E '^out')"
  echo "ok: $name"
}

# (1) Options of results.nc with --format csv, which writes none (as --compress was already refused).
expect_error "--no-results-nc-hash --format csv" \
  "^cohortgis: error: --no-results-nc-hash: --format csv writes no results.nc; expected --format netcdf or both" \
  run good.toml --out out --quiet --no-report --format csv --no-results-nc-hash
expect_error "--no-direct-chunks --format csv" \
  "^cohortgis: error: --no-direct-chunks: --format csv writes no results.nc; expected --format netcdf or both" \
  run good.toml --out out --quiet --no-report --format csv --no-direct-chunks
(cd "$S" && timeout 120 "$EXE" run good.toml --out out --quiet --no-report --format both --no-results-nc-hash \
  --no-direct-chunks) || fail "--format both with both options"
rm -rf "$S/out"

# (2) --seed without an ensemble; with one it is taken.
expect_error "--seed without trajectories" \
  "^cohortgis: error: --seed 5: the scenario asks for no trajectories .* expected --trajectories N with --seed, or no --seed" \
  run good.toml --out out --quiet --no-report --seed 5
expect_error "--ensemble-memory without trajectories" \
  "^cohortgis: error: --ensemble-memory 512: the scenario asks for no trajectories .* expected --trajectories N with --ensemble-memory, or no --ensemble-memory" \
  run good.toml --out out --quiet --no-report --ensemble-memory 512
# Named with its value (round 30, h196: "--ensemble-memory:" named none), a fraction of a MiB too.
expect_error "--ensemble-memory 0.5 without trajectories" \
  "^cohortgis: error: --ensemble-memory 0.5: the scenario asks for no trajectories" \
  run good.toml --out out --quiet --no-report --ensemble-memory 0.5
(cd "$S" && timeout 120 "$EXE" run stochastic.toml --out out --quiet --no-report --seed 5 --ensemble-memory 512) ||
  fail "--seed 5 --ensemble-memory 512 stochastic"
grep -q '"seed": 5' "$S/out/manifest.json" || fail "--seed 5: manifest.json does not record it"
rm -rf "$S/out"

# (3) estimate --levels: filters without their tables, and a filter that keeps no row.
printf 'zone,indicator,value\nA,e0,65\n' >"$S/mortality.csv"
printf 'zone,indicator,value\nA,tfr,1.5\n' >"$S/fertility.csv"
expect_error "--asfr-filter without --asfr" "^cohortgis: error: --asfr-filter: given without --asfr" \
  estimate --levels mortality.csv --mx levels_mx.csv --srb 105 --open-age 50 --asfr-filter age=15 --out out
expect_error "--mx-filter without --mx" "^cohortgis: error: --mx-filter: given without --mx" \
  estimate --levels fertility.csv --asfr levels_asfr.csv --open-age 50 --mx-filter sex=female --out out
{
  echo "age,asfr,src"
  for a in 15 20 25 30 35 40 45; do echo "$a,0.05,wpp"; done
  for a in 15 20 25 30 35 40 45; do echo "$a,0.0$((a / 5)),other"; done
} >"$S/two.csv"
expect_error "--asfr-filter keeping no row" \
  "^cohortgis: error: two.csv: no rows after --asfr-filter \(no cell of column 'src' is \"WPP\" \(it holds \"other\", \"wpp\"\)\)" \
  estimate --levels fertility.csv --asfr two.csv --open-age 50 --asfr-filter src=WPP --out out
expect_error "--asfr-filter columns that never meet" \
  "two.csv: no rows after --asfr-filter \(each column matches some row, but no row matches them all\)" \
  estimate --levels fertility.csv --asfr two.csv --open-age 50 --asfr-filter src=wpp --asfr-filter asfr=0.03 --out out
expect_error "--mx-filter keeping no row" \
  "^cohortgis: error: levels_mx.csv: no rows after --mx-filter \(no cell of column 'sex' is \"both\" \(it holds \"female\", \"male\"\)\)" \
  estimate --levels mortality.csv --mx levels_mx.csv --srb 105 --open-age 50 --mx-filter sex=both --out out
(cd "$S" && timeout 120 "$EXE" estimate --levels fertility.csv --asfr two.csv --open-age 50 --asfr-filter src=wpp \
  --out out >/dev/null) || fail "--asfr-filter src=wpp"
# The rows of src=wpp (the same at every age), not those of src=other (rising with age).
[ "$(cut -d, -f3 "$S/out/asfr_by_zone.csv" | sed 1d | sort -u | wc -l)" -eq 1 ] ||
  fail "--asfr-filter src=wpp: $(cat "$S/out/asfr_by_zone.csv")"
rm -rf "$S/out"

# (4) encoding declared for text that is UTF-8 by its format: refused (a GeoJSON zone source, a GeoPackage, info);
# a CSV's declared encoding is still taken.
cat >"$S/zones.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "A", "name": "海淀"}, "geometry": {"type": "Polygon", "coordinates": [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39.1], [116, 39]]]}},
{"type": "Feature", "properties": {"id": "B", "name": "西城"}, "geometry": {"type": "Polygon", "coordinates": [[[116.1, 39], [116.2, 39], [116.2, 39.1], [116.1, 39.1], [116.1, 39]]]}}]}
JSON
sed 's|^\[projection\]|[geography.source]\npath = "zones.geojson"\nid_field = "id"\nname_field = "name"\nencoding = "GBK"\n\n[projection]|' \
  "$S/good.toml" >"$S/gbk_geojson.toml"
expect_error "GeoJSON zone source declared GBK" \
  "key 'geography.source.encoding'.*zones.geojson: encoding 'GBK' declared, but the text of a GeoJSON source is UTF-8 by its format" \
  validate gbk_geojson.toml
sed 's|^encoding = "GBK"|encoding = "utf-8"|' "$S/gbk_geojson.toml" >"$S/utf8_geojson.toml"
(cd "$S" && timeout 120 "$EXE" validate utf8_geojson.toml >/dev/null) || fail "GeoJSON zone source declared utf-8"
expect_error "info GeoJSON --encoding GB18030" \
  "^cohortgis: error: zones.geojson: encoding 'GB18030' declared, but the text of a GeoJSON source is UTF-8" \
  info zones.geojson --encoding GB18030
cp "$FIX/geo/empty_geometry.gpkg" "$S/"
expect_error "info GeoPackage --encoding GBK" \
  "empty_geometry.gpkg: encoding 'GBK' declared, but the text of a GPKG source is UTF-8 by its format" \
  info empty_geometry.gpkg --encoding GBK
(cd "$S" && timeout 120 "$EXE" info base.csv --encoding GBK >/dev/null) || fail "info base.csv --encoding GBK"
# A table's: the message names `<table>.encoding` at its own line, where the declaration is.
sed 's|^table = "base.csv"|table = { path = "data:geo/beijing_districts.gpkg", encoding = "GBK" }|' "$S/good.toml" \
  >"$S/gbk_table.toml"
expect_error "GeoPackage table declared GBK" \
  "gbk_table.toml:[0-9]+:[0-9]+: key 'base_population.table.encoding': .*beijing_districts.gpkg: encoding 'GBK' declared, but the text of a GPKG source is UTF-8 by its format" \
  validate gbk_table.toml
echo "ok: encoding of UTF-8 formats"

# (5) map --dpi sizes a PNG only: with --format svg or pdf it is refused before the folder is read; with png taken.
for f in svg pdf; do
  expect_error "map --format $f --dpi 300" \
    "^cohortgis: error: --dpi 300: only a PNG has a resolution; --format $f is a vector drawing" \
    map no_such_results --format "$f" --dpi 300 --year 2020
done
expect_error "map --format png --dpi 300 (the folder's error, not the --dpi's)" "no_such_results" \
  map no_such_results --format png --dpi 300 --year 2020

echo "command line round 28 checked"
