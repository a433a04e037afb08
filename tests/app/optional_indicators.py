#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`[outputs] indicators` (planner's audit, round 20; docs/results.md): the five-year Beijing example asking for the
four optional indicators writes them after the standard ones, for every variant, year, zone and group, in
indicators.csv and results.nc alike; their values are their definitions (15-17 and 80+ persons, the 80+ share, the
child dependency ratio = total − old-age); a target on one is checked; and the rows of the standard indicators are the
bytes of the same run without them (a run that does not ask is unchanged).

Usage: optional_indicators.py COHORTGIS_EXE
"""
import csv
import os
import subprocess
import sys
import tempfile

from cli_checks import check, finish

EXE = sys.argv[1]
FIVE_YEAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "examples",
                         "beijing-2020-five-year", "scenario.toml")
ASKED = ["child_dependency_ratio", "age_15_17", "share_80_plus_percent", "age_80_plus"]  # any order: kept


def run(scenario, out):
    p = subprocess.run([EXE, "run", scenario, "--out", out, "--quiet", "--threads", "2", "--no-report", "--format",
                        "both"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cohortgis run {scenario}: exit {p.returncode}: {p.stderr}")


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


with tempfile.TemporaryDirectory(prefix="cohortgis_optional_") as tmp:
    scenario = os.path.join(tmp, "scenario.toml")
    with open(FIVE_YEAR, encoding="utf-8") as f, open(scenario, "w", encoding="utf-8") as g:
        g.write(f.read() + "\n[outputs]\nindicators = [" + ", ".join(f'"{n}"' for n in ASKED) + "]\n"
                "\n[[targets]]\nname = \"child dependency\"\nindicator = \"child_dependency_ratio\"\n"
                "zone = \"total\"\nyear = 2035\nmax = 100\n")
    run(scenario, os.path.join(tmp, "asked"))
    run(FIVE_YEAR, os.path.join(tmp, "plain"))

    asked = lines(os.path.join(tmp, "asked", "indicators.csv"))
    plain = lines(os.path.join(tmp, "plain", "indicators.csv"))
    kept = [l for l in asked if not any(f",{n}," in l for n in ASKED)]
    check(kept == plain, "the standard indicators' rows are not the bytes of the run that asks for none")

    rows = list(csv.DictReader(asked))
    by = {}
    for r in rows:
        by.setdefault((r["variant"], r["year"], r["zone"], r["group"]), {})[r["indicator"]] = r["value"]
    check(len(rows) > len(plain) - 1, "no rows added")
    order = [r["indicator"] for r in rows[:len(rows)] if (r["variant"], r["year"], r["zone"], r["group"]) ==
             (rows[0]["variant"], rows[0]["year"], rows[0]["zone"], rows[0]["group"])]
    check(order[-4:] == ASKED, f"not after the standard ones in the order asked: {order[-6:]}")
    n = 0
    for key, v in by.items():
        if not all(a in v for a in ASKED):
            check(False, f"{key}: missing {[a for a in ASKED if a not in v]}")
            continue
        f = {k: float(x) if x != "" else float("nan") for k, x in v.items()}
        n += 1
        close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b))  # noqa: E731
        check(close(f["child_dependency_ratio"], f["total_dependency_ratio"] - f["old_age_dependency_ratio"]),
              f"{key}: child dependency {f['child_dependency_ratio']} != total − old-age")
        check(close(f["share_80_plus_percent"], 100 * f["age_80_plus"] / f["population"]),
              f"{key}: 80+ share {f['share_80_plus_percent']} != 100 · age_80_plus / population")
        check(0 < f["age_15_17"] < f["population"] and 0 < f["age_80_plus"] < f["age_65_plus"],
              f"{key}: counts out of range")
    check(n > 100, f"only {n} units checked")

    targets = list(csv.DictReader(lines(os.path.join(tmp, "asked", "targets.csv"))))
    mine = [t for t in targets if t["target"] == "child dependency"]
    check(len(mine) >= 1 and all(t["value"] == by[(t["variant"], "2035", "total", "all")]["child_dependency_ratio"]
                                 for t in mine), f"target rows: {mine}")

    import xarray as xr  # the run's results.nc holds the same indicators
    with xr.open_dataset(os.path.join(tmp, "asked", "results.nc")) as ds:
        names = [str(x) for x in ds["indicator"].values]
        check(names[-4:] == ASKED, f"results.nc indicators: {names[-6:]}")
        v = ds["indicators"].sel(variant="baseline", year=2035, unit="total", indicator_group="all",
                                 indicator="child_dependency_ratio").item()
        check(abs(v - float(by[("baseline", "2035", "total", "all")]["child_dependency_ratio"])) < 1e-9,
              f"results.nc child_dependency_ratio {v}")

if not finish():
    print("optional indicators checked")
