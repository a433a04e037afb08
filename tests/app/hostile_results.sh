#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Results folders made by hand (hostile probe 3): a manifest.json nested 100,000 levels deep crashed `info`, `report`,
# `map` and `validate --results` (SIGSEGV: the JSON reader recurses); an indicators.csv that is a link to /etc/passwd
# was read by `info` and its first line quoted in the error. Each must exit 1 with a message and leave the folder.
# Usage: hostile_results.sh COHORTGIS_EXE FIXTURES_DIR MAKE_HOSTILE_HDF5_EXE
set -uo pipefail
EXE=$1
FIX=$2
MAKE_H5=$3
. "$(dirname "$0")/cli_common.sh"
reseal() {  # DIR: manifest.json's entry for results.nc and its seal recomputed, as a forger would
  /usr/bin/python3 - "$1" <<'PY' || fail "resealing the manifest of $1"
import hashlib, json, os, re, sys
d = sys.argv[1]
text = open(os.path.join(d, 'manifest.json')).read()
old = next(f for f in json.loads(text)['files'] if f['path'] == 'results.nc')
data = open(os.path.join(d, 'results.nc'), 'rb').read()
text = text.replace(old['sha256'], hashlib.sha256(data).hexdigest()).replace('"size": %d' % old['size'], '"size": %d' % len(data))
key = '  "manifest_sha256": "'
head = text[:text.index(key)]
text = head + re.sub(r'[0-9a-f]{64}', hashlib.sha256(head.encode()).hexdigest(), text[len(head):], count=1)
open(os.path.join(d, 'manifest.json'), 'w').write(text)
PY
}
cp "$FIX"/scenarios/{good.toml,base.csv,asfr.csv,mx.csv} "$WORK"/
"$EXE" run "$WORK/good.toml" --out "$WORK/res" --quiet --no-report 2>"$WORK/err" || fail "run: $(cat "$WORK/err")"
cp -r "$WORK/res" "$WORK/nested"
/usr/bin/python3 -c "import sys; open(sys.argv[1], 'w').write('[' * 100000 + ']' * 100000)" "$WORK/nested/manifest.json"
for cmd in "info $WORK/nested" "report $WORK/nested" "map $WORK/nested --year 2030" "validate $WORK/good.toml --results $WORK/nested"; do
  before=$(cd "$WORK/nested" && ls -la --time-style=full-iso | sha256sum)
  $EXE $cmd >/dev/null 2>"$WORK/err"; rc=$?
  # validate may warn (exit 0) about a results folder it cannot check; the others refuse it.
  [ $rc -eq 1 ] || { [[ $cmd == validate* ]] && [ $rc -eq 0 ]; } || fail "$cmd (nested manifest): exit $rc: $(head -c 300 "$WORK/err")"
  grep -q "nested more than 64 levels deep" "$WORK/err" || fail "$cmd (nested manifest): message: $(head -c 300 "$WORK/err")"
  [ "$(cd "$WORK/nested" && ls -la --time-style=full-iso | sha256sum)" = "$before" ] || fail "$cmd changed the folder"
  echo "ok: $cmd on a manifest nested 100,000 deep -> exit $rc: $(tail -1 "$WORK/err" | cut -c1-160)"
done
cp -r "$WORK/res" "$WORK/linked"
rm "$WORK/linked/indicators.csv" && ln -s /etc/passwd "$WORK/linked/indicators.csv"
"$EXE" info "$WORK/linked" >"$WORK/out" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "info on a linked indicators.csv: exit $rc"
grep -q "indicators.csv: a symbolic link or not a regular file" "$WORK/err" || fail "info: message: $(head -c 300 "$WORK/err")"
! grep -q "root:" "$WORK/err" "$WORK/out" || fail "info quoted /etc/passwd"
echo "ok: info on a results folder whose indicators.csv links to /etc/passwd -> exit 1, nothing of it quoted"
# Round 24 (h142): the folder is still described, every file's verification with it, before the exit 1; a
# population.csv edited so that it no longer reads stopped `info` before it said NOT VERIFIED.
grep -q "contents   NOT READ: .*indicators.csv: a symbolic link or not a regular file" "$WORK/out" &&
  grep -q "integrity  NOT VERIFIED" "$WORK/out" &&
  grep -q "warning: results file indicators.csv (now a symbolic link) changed since the run" "$WORK/out" ||
  fail "info on a linked indicators.csv: the folder not described: $(head -c 600 "$WORK/out")"
cp -r "$WORK/res" "$WORK/tampered"
sed -i '2s/,[0-9.]*$/,many/' "$WORK/tampered/population.csv"
"$EXE" info "$WORK/tampered" >"$WORK/out" 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "info on a population.csv that no longer reads: exit $rc"
grep -q "population.csv.*expected a number, got 'many'" "$WORK/err" || fail "info tampered: message: $(head -c 300 "$WORK/err")"
grep -q "integrity  NOT VERIFIED" "$WORK/out" && grep -q "warning: results file population.csv (" "$WORK/out" &&
  grep -q "contents   NOT READ: " "$WORK/out" && grep -q "^  scenario   " "$WORK/out" ||
  fail "info tampered: $(head -c 600 "$WORK/out")"
echo "ok: info on a population.csv that no longer reads -> described, NOT VERIFIED with the file named, then exit 1"
# manifest.json a link to /dev/zero: validate --results read it forever (probe 3); now refused at once.
cp -r "$WORK/res" "$WORK/zero"
rm "$WORK/zero/manifest.json" && ln -s /dev/zero "$WORK/zero/manifest.json"
timeout 20 "$EXE" validate "$WORK/good.toml" --results "$WORK/zero" >/dev/null 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "validate --results with manifest.json -> /dev/zero: exit $rc (124: a hang): $(head -c 300 "$WORK/err")"
grep -q "manifest.json: a symbolic link or not a regular file" "$WORK/err" || fail "validate --results /dev/zero: $(head -c 300 "$WORK/err")"
echo "ok: validate --results on a manifest.json linked to /dev/zero -> exit 1 at once"
# (The netcdf folders below keep indicators.csv, --indicators-csv: the cases are about the population read from
# results.nc; tests/app/indicators_in_netcdf.py has its indicators.)
# A hand-made results.nc (a --format netcdf folder's only population) whose `age` has two dimensions: the whole-variable
# read wrote past its buffer; its shape is now checked first, and a header's claimed sizes before anything is allocated.
"$EXE" run "$WORK/good.toml" --out "$WORK/nc" --quiet --no-report --format netcdf --indicators-csv 2>"$WORK/err" || fail "run netcdf: $(cat "$WORK/err")"
/usr/bin/python3 - "$WORK/nc/results.nc" <<'PY' || fail "writing the hand-made results.nc"
import sys, netCDF4, numpy as np
with netCDF4.Dataset(sys.argv[1], 'w') as d:
    for name, n in [('variant', 1), ('year', 2), ('zone', 2), ('group', 1), ('sex', 2), ('age', 3), ('extra', 1000)]:
        d.createDimension(name, n)
    for name, values in [('variant', ['baseline']), ('zone', ['a', 'b']), ('group', ['total']), ('sex', ['female', 'male'])]:
        v = d.createVariable(name, str, (name,))
        for i, x in enumerate(values):
            v[i] = x
    d.createVariable('year', 'i4', ('year',))[:] = [2020, 2025]
    d.createVariable('age', 'i4', ('age', 'extra'))[:] = np.ones((3, 1000), dtype='i4')
    d.createVariable('population', 'f8', ('variant', 'year', 'zone', 'group', 'sex', 'age'))[:] = 1.0
PY
# …and a manifest that lists it (its size, SHA-256 and the manifest's own seal recomputed, as a forger would), so the
# file is read rather than refused as changed since the run.
reseal "$WORK/nc"
"$EXE" report "$WORK/nc" >/dev/null 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] || fail "report on a results.nc whose age is two-dimensional: exit $rc: $(head -c 300 "$WORK/err")"
grep -q "variable age: expected the dimension age" "$WORK/err" || fail "report (2-D age): message: $(head -c 300 "$WORK/err")"
echo "ok: report on a results.nc whose age variable has two dimensions -> exit 1: $(tail -1 "$WORK/err" | cut -c1-160)"
# A results.nc whose population is read from outside the file (HDF5 external storage, an external link, a soft link,
# a virtual dataset; tests/support/make_hostile_hdf5.cpp): netCDF-C read each silently; `report` now refuses it before
# netCDF-C opens it. validate --results only hashes the file's bytes (exit 0, the resealed manifest matches).
"$EXE" run "$WORK/good.toml" --out "$WORK/h5" --quiet --no-report --format netcdf --indicators-csv 2>"$WORK/err" || fail "run netcdf: $(cat "$WORK/err")"
for spec in "external-storage|variable 'population' stores its data in an external file ('$WORK/outside/results.nc.data'); expected the data inside the file" \
            "external-link|'population' is an external link to object '/population' of the file '$WORK/outside/results.nc.target.nc'; expected every variable and group stored inside the file itself" \
            "soft-link|'population' is a soft link (to '/population_data'); expected every variable and group stored inside the file itself (no soft links)" \
            "virtual|variable 'population' is an HDF5 virtual dataset (its values are read from other files); expected the data inside the file"; do
  mode=${spec%%|*} expected=${spec#*|}
  rm -rf "$WORK/hostile" "$WORK/outside" && cp -r "$WORK/h5" "$WORK/hostile" && mkdir "$WORK/outside"
  # Made outside the folder, then moved in: what it points to stays in $WORK/outside.
  "$MAKE_H5" "$mode" "$WORK/h5/results.nc" "$WORK/outside/results.nc" population || fail "make_hostile_hdf5 $mode"
  mv "$WORK/outside/results.nc" "$WORK/hostile/results.nc"
  reseal "$WORK/hostile"
  "$EXE" report "$WORK/hostile" >/dev/null 2>"$WORK/err"; rc=$?
  [ $rc -eq 1 ] || fail "report on a results.nc ($mode): exit $rc: $(head -c 300 "$WORK/err")"
  grep -qF "results.nc: $expected" "$WORK/err" || fail "report ($mode): message: $(head -c 400 "$WORK/err")"
  echo "ok: report on a results.nc ($mode) -> exit 1: $(tail -1 "$WORK/err" | cut -c1-200)"
  "$EXE" validate "$WORK/good.toml" --results "$WORK/hostile" >/dev/null 2>"$WORK/err" ||
    fail "validate --results ($mode): $(head -c 300 "$WORK/err")"
done
# Hostile probe of round 22: what a results folder from elsewhere says (a variant's name, an input's path in a resealed
# manifest.json) and what the command line was given went to the terminal raw in `info`'s listing, the warnings and
# the messages (an escape sequence could clear the screen or retitle the window). Shown as \xNN now.
cp -r "$WORK/res" "$WORK/names"
/usr/bin/python3 - "$WORK/names/manifest.json" <<'PY' || fail "editing the manifest of names"
import hashlib, re, sys
p = sys.argv[1]
text = open(p).read().replace('"more"', '"mo\\u001b[2Jre"').replace('"path": "base.csv"', '"path": "b\\u009b31m.csv"')
key = '  "manifest_sha256": "'
head = text[:text.index(key)]
open(p, 'w').write(head + re.sub(r'[0-9a-f]{64}', hashlib.sha256(head.encode()).hexdigest(), text[len(head):], count=1))
PY
raw() { LC_ALL=C grep -q $'\x1b\|\xc2\x9b' "$@"; }
"$EXE" info "$WORK/names" >"$WORK/out" 2>"$WORK/err" || fail "info names: $(head -c 300 "$WORK/err")"
! raw "$WORK/out" "$WORK/err" || fail "info printed an escape sequence raw: $(grep -a 'variants' "$WORK/out")"
grep -qF 'mo\x1b[2Jre' "$WORK/out" || fail "info: the variant as bytes: $(grep -a variants "$WORK/out")"
"$EXE" validate "$WORK/good.toml" --results "$WORK/names" >/dev/null 2>"$WORK/err" || fail "validate names: $(cat "$WORK/err")"
! raw "$WORK/err" || fail "validate --results warned raw: $(cat "$WORK/err")"
grep -qF 'b\xc2\x9b31m.csv was an input' "$WORK/err" || fail "validate --results: $(cat "$WORK/err")"
"$EXE" run "$WORK/good.toml" --threads $'\e[2J' >/dev/null 2>"$WORK/err"; rc=$?
[ $rc -eq 1 ] && ! raw "$WORK/err" && grep -qF "('\x1b[2J') for option '--threads'" "$WORK/err" ||
  fail "--threads ESC: exit $rc: $(cat -v "$WORK/err")"
echo "ok: names from a results folder and the command line's values reach the terminal as \\xNN"
echo "hand-made results folders handled"
