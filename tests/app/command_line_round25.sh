#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What the hostile probe of round 25 (tests/probe/hostile_round25.py) found in the command line: code the environment
# names was loaded while a scenario was read — every shared library in GDAL_DRIVER_PATH (and Python script in
# GDAL_PYTHON_DRIVER_PATH) once a VRT named a source of no format cohortgis reads (GDALAllRegister, to name the
# format), every library in HDF5_PLUGIN_PATH once a NetCDF-4 base population named a filter only a plugin gives
# (netCDF-C's open; the message then said "the file may be cut short or damaged"); a folder of `cohortgis estimate`
# given to report, map, info or validate --results was "not a cohortgis manifest"; an aggregate's bad title_en was
# named "title"; a fertility schedule of subnormal rates scaled to a TFR became NaN, refused at "age 0".
# Usage: command_line_round25.sh COHORTGIS_EXE FIXTURES_DIR PLUGIN_SO MAKE_HOSTILE_HDF5
set -uo pipefail
EXE=$1
FIX=$2
PLUGIN=$3
MAKE_HDF5=$4
. "$(dirname "$0")/cli_common.sh"
S=$WORK/s
mkdir -p "$S" "$WORK/plugins" "$WORK/pydrivers"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$S/"
# The plugin as a GDAL driver (gdal_*.so, ogr_*.so), an HDF5 filter plugin (lib*.so) and a GDAL Python driver.
cp "$PLUGIN" "$WORK/plugins/gdal_Probe.so"
cp "$PLUGIN" "$WORK/plugins/ogr_Probe.so"
cp "$PLUGIN" "$WORK/plugins/libprobe_filter.so"
cat > "$WORK/pydrivers/ogr_probe.py" <<'PY'
# gdal: DRIVER_NAME = "PROBEPY"
# gdal: DRIVER_SUPPORTED_API_VERSION = [1]
import os
open(os.environ["COHORTGIS_PLUGIN_MARK"], "a").write("a Python driver was loaded\n")
PY
MARK=$WORK/plugin_loaded
export COHORTGIS_PLUGIN_MARK=$MARK GDAL_DRIVER_PATH=$WORK/plugins GDAL_PYTHON_DRIVER_PATH=$WORK/pydrivers \
       HDF5_PLUGIN_PATH=$WORK/plugins

# expect NAME PATTERN ARGS...: `cohortgis ARGS` in $S exits 1 within 60 s with PATTERN in its stderr, nothing under
# $S changes and no plugin was loaded.
expect() {
  local name=$1 pattern=$2 err rc before after
  shift 2
  before=$(cd "$S" && find . | sort)
  err=$(cd "$S" && timeout 60 "$EXE" "$@" 2>&1 >/dev/null)
  rc=$?
  after=$(cd "$S" && find . | sort)
  [ "$rc" -eq 124 ] && fail "$name: hung (killed after 60 s)"
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, expected 1 ($err)"
  echo "$err" | grep -Eq -- "$pattern" || fail "$name: message '$err' does not match '$pattern'"
  [ "$before" = "$after" ] || fail "$name: wrote or left $(diff <(echo "$before") <(echo "$after") | head -3)"
  [ -e "$MARK" ] && fail "$name: a plugin was loaded: $(cat "$MARK")"
  echo "ok: $name"
}

# Sanity: the plugin does say when it is loaded.
COHORTGIS_PLUGIN_MARK=$WORK/sanity LD_PRELOAD=$PLUGIN /usr/bin/env true
[ -s "$WORK/sanity" ] || fail "the test plugin does not record its loading"

# (1) A VRT whose source is no format cohortgis reads: as the base population and as the zone source.
printf '\x01\x02\x03\xfe\xff%.0s' {1..600} >"$S/blob.dat"
echo '<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>blob.dat</SrcDataSource></OGRVRTLayer>'\
'</OGRVRTDataSource>' >"$S/t.vrt"
sed 's|table = "base.csv"|table = "t.vrt"|' "$S/good.toml" >"$S/vrt.toml"
expect gdal_plugins_vrt_table "'blob.dat' \(a source named in the VRT 't.vrt'\): not a vector format" validate vrt.toml
sed 's|^\[projection\]|[geography.source]\npath = "t.vrt"\nid_field = "id"\n\n[projection]|' "$S/good.toml" \
  >"$S/vrt_zones.toml"
expect gdal_plugins_vrt_zones "'blob.dat' \(a source named in the VRT 't.vrt'\): not a vector format" validate \
  vrt_zones.toml

# (2) A NetCDF-4 base population through a filter only a plugin decodes.
"$MAKE_HDF5" plugin-filter "$FIX/bad/netcdf/good.nc" "$S/pop.nc" population || fail "make_hostile_hdf5"
sed 's|table = "base.csv"|format = "netcdf"\ntable = "pop.nc"|' "$S/good.toml" >"$S/cube.toml"
expect hdf5_plugin_cube_validate "pop.nc: variable 'population' is compressed with HDF5 filter 40000 \('probe'\)" \
  validate cube.toml
expect hdf5_plugin_cube_run "HDF5 filter 40000" run cube.toml --out out --quiet --no-report

# (3) The folder of `cohortgis estimate` given to the commands that read a projection's results.
printf 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n' >"$S/c1.csv"
printf 'zone,sex,age,population\nA,all,all,1100\nB,all,all,2000\n' >"$S/c2.csv"
(cd "$S" && "$EXE" estimate --first c1.csv --second c2.csv --years 2000:2010 --out est >/dev/null 2>&1) ||
  fail "estimate"
est="est/manifest.json: the manifest of \`cohortgis estimate\` \(tables for a scenario\), not of a projection's results"
expect estimate_folder_report "$est" report est
expect estimate_folder_map "$est" map est --year 2010 --out m.png
expect estimate_folder_info "$est" info est
expect estimate_folder_validate "$est" validate good.toml --results est

# (4) An aggregate's title_en with an escape sequence is named title_en.
agg='aggregates = [ { name = "core", zones = ["A", "B"], title_en = "core\\u001b[2J" } ]'
sed "s|{ id = \"B\", name = \"Zone B\" } \\]|&\n$agg|" "$S/good.toml" >"$S/title.toml"
expect aggregate_title_en 'aggregate "core" title_en "core\\x1b\[2J": holds a control character' validate title.toml

# (5) A fertility schedule of subnormal rates with a TFR to scale it to.
printf 'age,value\n10,0\n15,5e-320\n' >"$S/asfr_subnormal.csv"
sed 's|asfr.csv|asfr_subnormal.csv|' "$S/good.toml" >"$S/subnormal.toml"
expect asfr_subnormal "fertility: the schedule's rates sum to [0-9.e+-]+ births per woman, too small to scale to a" \
  run subnormal.toml --out out --quiet --no-report

echo "command line round 25 checked"
