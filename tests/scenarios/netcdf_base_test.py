#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""[base_population] format = "netcdf" end to end (scenarios/README.md "Base population as a NetCDF cube"):
1. a plain cube population(zone, group, sex, age) written here (zones, sexes and groups in another order than the
   scenario's, ages past the open age) projects bit for bit as the same numbers given as a long CSV table
   (population.csv, components.csv, indicators.csv byte-identical), and so does a NetCDF-3 classic cube with
   character coordinates;
2. a run's results.nc used as the next run's base (filter = { variant, year }) gives that run's population of that
   year, and the cube is an input of manifest.json with its SHA-256.
Usage: netcdf_base_test.py CLI (the cohortgis executable)."""
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import netCDF4
import numpy as np

CLI = sys.argv[1]
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "bad")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


ZONES, GROUPS, SEXES, AGES = ["A", "B", "C"], ["registered", "floating"], ["female", "male"], [0, 5, 10, 15, 20, 25]


def persons(z, g, s, a):
    # Irregular doubles (no round numbers): a cell must arrive bit for bit.
    return (1000.0 + 37.0 * z + 11.0 * g + 5.0 * s) / (1.0 + a / 7.0) * (1.0 + 1.0 / 3.0) + 0.1 * (a == 25)


SCENARIO = """[scenario]
name = "{name}"
[geography]
zones = [ {{ id = "A" }}, {{ id = "B" }}, {{ id = "C" }} ]
[projection]
base_year = {base_year}
horizon = {horizon}
step = 5
open_age = 20
groups = ["registered", "floating"]
[base_population]
{base}
[fertility]
schedule = {{ path = "{fx}/asfr.csv" }}
tfr = 1.5
srb = 105
[mortality]
mx = {{ path = "{fx}/mx.csv", columns = {{ value = "mx" }} }}
[[transitions]]
from = "floating"
to = "registered"
rate = 0.02
[[variants]]
name = "high"
fertility = {{ tfr = 2.1 }}
"""


def write_scenario(d, name, base, base_year=2020, horizon=2030):
    path = os.path.join(d, name + ".toml")
    with open(path, "w") as f:
        f.write(SCENARIO.format(name=name, base=base, fx=FIXTURES, base_year=base_year, horizon=horizon))
    return path


def run(scenario, out, *extra):
    r = subprocess.run([CLI, "run", scenario, "--out", out, "--no-report", "--quiet", "--allow-read", FIXTURES,
                        *extra], capture_output=True, text=True)
    check(r.returncode == 0, f"run {scenario}: exit {r.returncode}: {r.stderr}")
    return r


def same_file(a, b, what):
    check(open(a, "rb").read() == open(b, "rb").read(), f"{what}: {a} and {b} differ")


with tempfile.TemporaryDirectory() as d:
    with open(os.path.join(d, "base.csv"), "w") as f:
        f.write("zone,group,sex,age,population\n")
        for z, zone in enumerate(ZONES):
            for g, group in enumerate(GROUPS):
                for s, sex in enumerate(SEXES):
                    for a in AGES:
                        f.write(f"{zone},{group},{sex},{a},{persons(z, g, s, a)!r}\n")
    # The cube in another order of zones, groups and sexes than the scenario's; ages as in the CSV rows.
    zo, go, so = [2, 0, 1], [1, 0], [1, 0]
    values = np.array([[[[persons(z, g, s, a) for a in AGES] for s in so] for g in go] for z in zo])
    ds = netCDF4.Dataset(os.path.join(d, "base.nc"), "w", format="NETCDF4")
    for name, n in (("zone", 3), ("group", 2), ("sex", 2), ("age", len(AGES))):
        ds.createDimension(name, n)
    for name, vals in (("zone", [ZONES[i] for i in zo]), ("group", [GROUPS[i] for i in go]),
                       ("sex", [SEXES[i] for i in so])):
        v = ds.createVariable(name, str, (name,))
        for i, x in enumerate(vals):
            v[i] = x
    ds.createVariable("age", "i8", ("age",))[:] = np.array(AGES)
    p = ds.createVariable("population", "f8", ("zone", "group", "sex", "age"))
    p.units = "persons"
    p[...] = values
    ds.close()
    # NetCDF-3 classic: character coordinates (zone, nchar), integer ages.
    ds = netCDF4.Dataset(os.path.join(d, "classic.nc"), "w", format="NETCDF3_CLASSIC")
    for name, n in (("zone", 3), ("group", 2), ("sex", 2), ("age", len(AGES)), ("nchar", 10)):
        ds.createDimension(name, n)
    for name, vals in (("zone", [ZONES[i] for i in zo]), ("group", [GROUPS[i] for i in go]),
                       ("sex", [SEXES[i] for i in so])):
        v = ds.createVariable(name, "S1", (name, "nchar"))
        v[:] = netCDF4.stringtochar(np.array(vals, dtype="S10"))
    ds.createVariable("age", "i4", ("age",))[:] = np.array(AGES)
    ds.createVariable("population", "f8", ("zone", "group", "sex", "age"))[...] = values
    ds.close()

    s_csv = write_scenario(d, "csv", 'table = "base.csv"')
    s_nc = write_scenario(d, "cube", 'format = "netcdf"\ntable = "base.nc"')
    s_classic = write_scenario(d, "classic", 'format = "netcdf"\ntable = "classic.nc"')
    out = {k: os.path.join(d, "out_" + k) for k in ("csv", "cube", "classic")}
    run(s_csv, out["csv"], "--format", "both")
    run(s_nc, out["cube"], "--format", "both")
    run(s_classic, out["classic"], "--format", "csv")
    for f in ("population.csv", "components.csv", "indicators.csv"):
        same_file(os.path.join(out["csv"], f), os.path.join(out["cube"], f), "CSV vs cube base")
        same_file(os.path.join(out["csv"], f), os.path.join(out["classic"], f), "CSV vs classic cube base")
    manifest = json.load(open(os.path.join(out["cube"], "manifest.json")))
    digest = hashlib.sha256(open(os.path.join(d, "base.nc"), "rb").read()).hexdigest()
    text = json.dumps(manifest)
    check(digest in text and "base.nc" in text, "manifest.json lists base.nc with its SHA-256")

    # 2. Continue the variant "high" from its population at the end of 2030 (results.nc of run 1).
    s_next = write_scenario(d, "next", 'format = "netcdf"\n'
                            'table = { path = "out_csv/results.nc", filter = { variant = "high", year = 2030 } }',
                            base_year=2030, horizon=2040)
    run(s_next, os.path.join(d, "out_next"), "--format", "csv")

    def rows(path, variant, year):
        with open(path) as f:
            return [(r["zone"], r["group"], r["sex"], r["age"], r["population"]) for r in csv.DictReader(f)
                    if r["variant"] == variant and r["year"] == str(year)]
    want = rows(os.path.join(out["csv"], "population.csv"), "high", 2030)
    got = rows(os.path.join(d, "out_next", "population.csv"), "baseline", 2030)
    check(len(want) == 3 * 2 * 2 * 5 and got == want, f"continued base: {len(got)} rows vs {len(want)}; "
          f"first differences {[(a, b) for a, b in zip(got, want) if a != b][:3]}")
    # Without the year filter the message says how to choose.
    s_bad = write_scenario(d, "bad", 'format = "netcdf"\n'
                           'table = { path = "out_csv/results.nc", filter = { variant = "high" } }',
                           base_year=2030, horizon=2040)
    r = subprocess.run([CLI, "validate", s_bad, "--allow-read", FIXTURES], capture_output=True, text=True)
    check(r.returncode == 1 and "dimension year of variable 'population' has 3 values (2020, 2025, 2030); choose "
          "one with filter = { year = 2030 }" in r.stderr, f"no year chosen: {r.stderr}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("netcdf base population checked")
