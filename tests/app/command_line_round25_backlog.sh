#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Round 25 backlog (h155) in the command line: zones that PROJ cannot centre an equal-area plane on printed
# "ERROR 1: PROJ: laea: Invalid value for lat_0" before cohortgis's own error; GDAL said "Assuming DCAP_RASTER for
# driver HTTP. Please fix it." under CPL_DEBUG=ON for the network drivers' stand-ins; `run --out DIR` while another
# cohortgis redraws DIR blamed the user for that cohortgis's new files.
# Usage: command_line_round25_backlog.sh COHORTGIS_EXE FIXTURES_DIR
set -uo pipefail
EXE=$1
FIX=$2
. "$(dirname "$0")/cli_common.sh"
S=$WORK/s
mkdir -p "$S"
cp "$FIX/scenarios/good.toml" "$FIX/scenarios/base.csv" "$FIX/scenarios/asfr.csv" "$FIX/scenarios/mx.csv" "$S/"

# (1) Zone polygons past the North Pole as the zone source: one line on stderr, cohortgis's, with PROJ's reason.
cat >"$S/polar.geojson" <<'JSON'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "A"}, "geometry": {"type": "Polygon", "coordinates": [[[0, 95], [1, 95], [1, 96], [0, 96], [0, 95]]]}},
{"type": "Feature", "properties": {"id": "B"}, "geometry": {"type": "Polygon", "coordinates": [[[1, 95], [2, 95], [2, 96], [1, 96], [1, 95]]]}}]}
JSON
sed 's|^\[projection\]|[geography.source]\npath = "polar.geojson"\nid_field = "id"\n\n[projection]|' "$S/good.toml" \
  >"$S/polar.toml"
err=$(cd "$S" && timeout 60 "$EXE" validate polar.toml 2>&1 >/dev/null)
rc=$?
[ "$rc" -eq 1 ] || fail "polar zones: exit $rc, expected 1 ($err)"
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "polar zones: more than one line on stderr: $err"
echo "$err" | grep -Eq "^cohortgis: error: polar.geojson, layer 'polar', the zones' extent centre: no equal-area plane \
centred on latitude 95.5, longitude 1 \(GDAL: PROJ: laea: .*lat_0.*\); expected zones on the earth" ||
  fail "polar zones: message '$err'"
echo "ok: polar zones"

# (2) CPL_DEBUG=ON: GDAL has nothing to say about the stand-ins of its network drivers.
err=$(cd "$S" && CPL_DEBUG=ON timeout 60 "$EXE" validate good.toml 2>&1 >/dev/null) || fail "validate: $err"
echo "$err" | grep -q "GDAL" || fail "CPL_DEBUG=ON printed no GDAL debug line at all (the check would prove nothing)"
echo "$err" | grep -q "Please fix it" && fail "CPL_DEBUG=ON: $(echo "$err" | grep "Please fix it" | head -2)"
echo "ok: network stand-ins declared"

# (3) `run --out res` while another cohortgis redraws res (report or map: a figure not yet listed in manifest.json,
# and its backup res.old-PID beside it with the marker of a live process, as RedrawGuard leaves them).
(cd "$S" && timeout 120 "$EXE" run good.toml --out res --quiet --no-report) || fail "the first run failed"
echo "drawing" >"$S/res/new_figure.png"
sleep 300 &
drawer=$!
start=$(awk '{print $22}' "/proc/$drawer/stat")
mkdir "$S/res.old-$drawer"
printf 'cohortgis staging folder\npid %s\nstart %s\n' "$drawer" "$start" >"$S/res.old-$drawer/.cohortgis-staging"
err=$(cd "$S" && timeout 120 "$EXE" run good.toml --out res --quiet --no-report 2>&1 >/dev/null)
rc=$?
kill "$drawer"
wait "$drawer" 2>/dev/null
[ "$rc" -eq 1 ] || fail "run beside a redraw: exit $rc, expected 1 ($err)"
echo "$err" | grep -q "output folder .*res: another cohortgis (process $drawer) is drawing into it (report or map); \
nothing was changed" || fail "run beside a redraw: message '$err'"
[ -e "$S/res/new_figure.png" ] || fail "run beside a redraw: the drawing's file was removed"
# Once that process is gone the file is the user's, as before (and its stale backup is removed).
err=$(cd "$S" && timeout 120 "$EXE" run good.toml --out res --quiet --no-report 2>&1 >/dev/null)
echo "$err" | grep -q "holds files that cohortgis did not write: new_figure.png" ||
  fail "run after the redraw ended: message '$err'"
echo "ok: run beside a redraw"

echo "command line round 25 backlog checked"
