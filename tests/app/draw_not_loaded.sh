#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A run that draws nothing loads none of the drawing libraries: maps and charts live in libcohortgis_draw.so, which
# the geodata library loads on the first drawing (geodata/src/draw_api.hpp; issue #16: their pages counted in every
# run's RSS). A run with the report loads it and draws its charts. The dynamic loader's own list (LD_DEBUG=files).
# Usage: draw_not_loaded.sh COHORTGIS SCENARIO
set -euo pipefail
exe=$1
scenario=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
loaded() { cat "$work/$1".* | grep -o 'file=[^ ]*' | sort -u; }
LD_DEBUG=files LD_DEBUG_OUTPUT="$work/plain" "$exe" run "$scenario" --out "$work/plain_out" --no-report -q
plain=$(loaded plain)
[ -n "$plain" ] || { echo "FAIL: LD_DEBUG listed no libraries"; exit 1; }
if grep -E 'file=lib(cairo|pango[a-z0-9]*|harfbuzz|pixman|gobject|glib|cohortgis_draw)[-.]' <<< "$plain"; then
  echo "FAIL: a run without the report loaded the libraries above"; exit 1
fi
LD_DEBUG=files LD_DEBUG_OUTPUT="$work/report" "$exe" run "$scenario" --out "$work/report_out" -q
grep -q 'file=.*libcohortgis_draw\.so' <<< "$(loaded report)" || { echo "FAIL: the report did not load the module"; exit 1; }
pngs=$(find "$work/report_out" -name '*.png' | wc -l)
[ "$pngs" -gt 0 ] || { echo "FAIL: the report drew no PNG"; exit 1; }
echo "drawing not loaded: $(wc -l <<< "$plain") libraries without the report, none of the drawing ones; $pngs PNGs with it"
