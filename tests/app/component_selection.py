#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`cohortgis run --components LIST` (issue #16, round 11): a subset writes only those components, to components.csv
(the reference run's rows of those components, byte for byte) and results.nc (only those variables, the reference's
values bit for bit), and everything else the same bytes; `none` leaves components.csv a header and results.nc
without component variables, and the report, results.xlsx, `validate --results` and `info` cope; `all` is the
default's bytes; an unknown name is refused before anything is written, listing the valid names.

Usage: component_selection.py COHORTGIS_EXE
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr

EXE = sys.argv[1]
ALL = ["births", "newborn_transfer_in", "newborn_transfer_out", "deaths", "net_migration", "transfer_in",
       "transfer_out", "floor_adjustment", "planning_adjustment"]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def run(out, *opts, ok=True):
    p = subprocess.run([EXE, "run", "default", "--out", out, "--quiet", "--threads", "2", *opts],
                       capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"cohortgis run {' '.join(opts)}: exit {p.returncode}: {p.stderr}")
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def bits(a):
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def component_vars(ds):
    return sorted(v for v in ds.data_vars if v in ALL)


with tempfile.TemporaryDirectory() as tmp:
    ref, sub, none, full, bad = (os.path.join(tmp, n) for n in ("ref", "sub", "none", "all", "bad"))
    run(ref, "--format", "both", "--no-report")
    picked = ["births", "transfer_in", "net_migration"]
    run(sub, "--format", "both", "--no-report", "--components", ",".join(reversed(picked)))
    run(full, "--format", "both", "--no-report", "--components", "all")

    # The subset: components.csv is the reference's header and rows of those components, in the same order.
    lines = read(os.path.join(ref, "components.csv")).split(b"\n")
    want = [lines[0]] + [l for l in lines[1:] if l and l.split(b",")[6].decode() in picked]
    got = [l for l in read(os.path.join(sub, "components.csv")).split(b"\n") if l]
    check(len(want) > 100 and got == want, f"components.csv of the subset: {len(got)} lines, expected {len(want)}")
    for f in ["population.csv", "indicators.csv", "plan_periods.csv", "plan_periods_by_group.csv", "targets.csv",
              "service_demand.csv", "zones.csv"]:
        check(read(os.path.join(ref, f)) == read(os.path.join(sub, f)), f"{f}: the same bytes with a subset")
    with xr.open_dataset(os.path.join(ref, "results.nc")) as a, xr.open_dataset(os.path.join(sub, "results.nc")) as b:
        check(component_vars(b) == sorted(picked), f"results.nc of the subset holds {component_vars(b)}")
        for v in picked + ["population", "indicators"]:
            check(np.array_equal(bits(a[v].values), bits(b[v].values)), f"results.nc {v}: the same bits")
    with open(os.path.join(sub, "manifest.json")) as f:
        check(json.load(f)["components"] == [c for c in ALL if c in picked], "manifest lists the components written")
    with open(os.path.join(ref, "manifest.json")) as f:
        check(json.load(f)["components"] == ALL, "manifest of the default lists every component")

    # all = the default: the same files.
    for f in ["components.csv", "population.csv", "indicators.csv", "results.nc"]:
        check(read(os.path.join(ref, f)) == read(os.path.join(full, f)), f"{f}: --components all as the default")

    # none, with the report on: no component is written and every consumer of the folder copes.
    run(none, "--format", "both", "--components", "none")
    check(read(os.path.join(none, "components.csv")).strip().split(b"\n") == [lines[0]],
          "components.csv of none: the header only")
    with xr.open_dataset(os.path.join(none, "results.nc")) as b:
        check(component_vars(b) == [], f"results.nc of none holds {component_vars(b)}")
    for f in ["report.html", "results.xlsx", "results.gpkg", "indicators.csv"]:
        check(os.path.exists(os.path.join(none, f)), f"{f} written with none")
    v = subprocess.run([EXE, "validate", "default", "--results", none], capture_output=True, text=True)
    check(v.returncode == 0 and "unchanged" in v.stdout, f"validate --results on none: {v.returncode} {v.stderr}")
    v = subprocess.run([EXE, "validate", "default", "--results", sub], capture_output=True, text=True)
    check(v.returncode == 0 and "unchanged" in v.stdout, f"validate --results on a subset: {v.returncode} {v.stderr}")
    i = subprocess.run([EXE, "info", none], capture_output=True, text=True)
    check(i.returncode == 0 and "as cohortgis wrote them" in i.stdout, f"info on none: {i.returncode} {i.stderr}")

    # A bad name: exit 1, the valid names listed, nothing written.
    p = run(bad, "--components", "deaths,death", ok=False)
    check(p.returncode == 1 and "--components: 'death' is not a component (valid: births," in p.stderr
          and "planning_adjustment; or all, or none)" in p.stderr, f"bad name: exit {p.returncode}: {p.stderr}")
    check(not os.path.exists(bad) and not any(n.startswith("bad") for n in os.listdir(tmp)), "nothing written")
    p = run(bad, "--components", "none,deaths", ok=False)
    check(p.returncode == 1 and "'none' must be given alone" in p.stderr, f"none with a name: {p.stderr}")
    # A hostile name is quoted escaped and cut (control characters as \xnn, at most 40 characters).
    p = run(bad, "--components", "bad\x01name" * 30, ok=False)
    check(p.returncode == 1 and "'bad\\x01namebad" in p.stderr and "\x01" not in p.stderr
          and len(p.stderr) < 600, f"hostile name: {p.stderr!r}")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
print("component selection checked")
