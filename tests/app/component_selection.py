#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`cohortgis run --components LIST` (issue #16, round 11): a subset writes only those components, to components.csv
(the reference run's rows of those components, byte for byte) and results.nc (only those variables, the reference's
values bit for bit), and everything else the same bytes; `none` leaves components.csv a header and results.nc
without component variables, and the report, results.xlsx, `validate --results` and `info` cope; `all` is the
default's bytes; an unknown name is refused before anything is written, listing the valid names. The scenario file's
`[outputs] components` (a list, [] or false) selects the same way, --components overriding it; a bad name or type
there names the file, line, column and key.

Usage: component_selection.py COHORTGIS_EXE
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import xarray as xr

from cli_checks import check, finish

EXE = sys.argv[1]
ALL = ["births", "newborn_transfer_in", "newborn_transfer_out", "deaths", "net_migration", "transfer_in",
       "transfer_out", "floor_adjustment", "planning_adjustment"]


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

# The scenario file's `[outputs] components` (true, false or a list of the same names); --components overrides it.
DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "examples", "beijing-2020",
                       "scenario.toml")


def with_outputs(folder, value):
    """The shipped example (data: paths only) with `[outputs] components = value`, as folder/scenario.toml."""
    os.makedirs(folder)
    path = os.path.join(folder, "scenario.toml")
    with open(DEFAULT, encoding="utf-8") as f, open(path, "w", encoding="utf-8") as g:
        g.write(f.read() + "\n[outputs]\ncomponents = " + value + "\n")
    return path


def run_file(scenario, out, *opts):
    return subprocess.run([EXE, "run", scenario, "--out", out, "--quiet", "--threads", "2", "--no-report",
                           "--format", "both", *opts], capture_output=True, text=True)


def written(out):
    with open(os.path.join(out, "manifest.json")) as f:
        listed = json.load(f)["components"]
    rows = {l.split(b",")[6].decode() for l in read(os.path.join(out, "components.csv")).split(b"\n")[1:] if l}
    with xr.open_dataset(os.path.join(out, "results.nc")) as ds:
        return listed, sorted(rows), component_vars(ds)


with tempfile.TemporaryDirectory() as tmp:
    listed = with_outputs(os.path.join(tmp, "list"), '["deaths", "births"]')
    p = run_file(listed, os.path.join(tmp, "o1"))
    check(p.returncode == 0 and written(os.path.join(tmp, "o1")) == (["births", "deaths"],) * 3,
          f"[outputs] components = list: {p.stderr} {written(os.path.join(tmp, 'o1')) if p.returncode == 0 else ''}")
    p = run_file(listed, os.path.join(tmp, "o2"), "--components", "net_migration")
    check(p.returncode == 0 and written(os.path.join(tmp, "o2")) == (["net_migration"],) * 3,
          f"--components overrides the file: {p.stderr}")
    p = run_file(listed, os.path.join(tmp, "o3"), "--components", "all")
    check(p.returncode == 0 and written(os.path.join(tmp, "o3"))[0] == ALL, f"--components all over a list: {p.stderr}")
    empty = with_outputs(os.path.join(tmp, "empty"), "[]")
    p = run_file(empty, os.path.join(tmp, "o4"))
    check(p.returncode == 0 and written(os.path.join(tmp, "o4")) == ([], [], []), f"components = []: {p.stderr}")
    p = run_file(with_outputs(os.path.join(tmp, "false"), "false"), os.path.join(tmp, "o5"), "--components", "births")
    check(p.returncode == 0 and written(os.path.join(tmp, "o5")) == (["births"],) * 3,
          f"--components overrides components = false: {p.stderr}")
    bad = with_outputs(os.path.join(tmp, "bad"), '["births", "death"]')
    p = run_file(bad, os.path.join(tmp, "o6"))
    check(p.returncode == 1 and p.stderr.count(bad + ":") == 1
          and "key 'outputs.components[1]': \"death\" is not a component (valid: births, newborn_transfer_in," in p.stderr
          and "planning_adjustment)" in p.stderr and not os.path.exists(os.path.join(tmp, "o6")),
          f"bad name in the file: exit {p.returncode}: {p.stderr}")
    wrong = with_outputs(os.path.join(tmp, "wrong"), '"births"')
    p = run_file(wrong, os.path.join(tmp, "o7"))
    check(p.returncode == 1 and wrong + ":" in p.stderr
          and "key 'outputs.components': expected true, false or a list of component names" in p.stderr,
          f"wrong type in the file: exit {p.returncode}: {p.stderr}")

finish()
print("component selection checked")
