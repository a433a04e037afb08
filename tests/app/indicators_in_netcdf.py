#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The netcdf format keeps the indicators in results.nc only (issue #16, round 12; docs/results.md): a run of the
five-year Beijing example (no parity, households or monitoring) with --format netcdf writes no indicators.csv, and
every reader of the folder takes the indicators from results.nc — the run's report, results.gpkg, `cohortgis report`,
`map`, `info`, `validate --results` — with the same figures and report, bytes and all, as a folder of the same run
with --indicators-csv (read from indicators.csv); results.xlsx has the indicators sheet, made from the run's tables in
memory (the same workbook as from indicators.csv). --indicators-csv writes
the bytes of the csv format's indicators.csv. The default scenario has [monitoring], which reads indicators.csv back,
and parity and [households] append rows to it (tests/fixtures): each keeps the file in the netcdf format.

Usage: indicators_in_netcdf.py COHORTGIS_EXE
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

from cli_checks import check, finish

EXE = sys.argv[1]
FIVE_YEAR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "examples",
                         "beijing-2020-five-year", "scenario.toml")


def cli(*args):
    return subprocess.run([EXE, *args], capture_output=True, text=True)


def run(scenario, out, *opts):
    p = cli("run", scenario, "--out", out, "--quiet", "--threads", "2", *opts)
    if p.returncode != 0:
        sys.exit(f"cohortgis run {' '.join(opts)}: exit {p.returncode}: {p.stderr}")
    with open(os.path.join(out, "manifest.json")) as f:
        return json.load(f)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def figures(folder):
    """report.html (its "generated" minute blanked) and every chart and map, by path."""
    out = {"report.html": re.sub(rb"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} UTC", b"TIME",
                                 read(os.path.join(folder, "report.html")))}
    for sub in ("charts", "maps"):
        for name in sorted(os.listdir(os.path.join(folder, sub))):
            out[f"{sub}/{name}"] = read(os.path.join(folder, sub, name))
    return out


with tempfile.TemporaryDirectory() as tmp:
    nc, with_csv, csv = (os.path.join(tmp, n) for n in ("nc", "with_csv", "csv"))
    m = run(FIVE_YEAR, nc, "--format", "netcdf")
    listed = [f["path"] for f in m["files"]]
    check(not os.path.exists(os.path.join(nc, "indicators.csv")) and "indicators.csv" not in listed
          and "results.nc" in listed, f"--format netcdf: no indicators.csv ({listed})")
    for f in ("report.html", "results.gpkg", "results.xlsx", "plan_periods.csv", "targets.csv"):
        check(os.path.exists(os.path.join(nc, f)), f"--format netcdf: {f} written")
    check(m["timings"]["report_indicators"] == "memory", f"report_indicators {m['timings']['report_indicators']}")
    with zipfile.ZipFile(os.path.join(nc, "results.xlsx")) as z:
        text = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
    check(b"the indicators are in results.nc" not in text and "指标在 results.nc".encode() not in text,
          "results.xlsx: the indicators sheet filled from the run's own tables, not a note")
    run_figures = figures(nc)

    run(FIVE_YEAR, with_csv, "--format", "netcdf", "--indicators-csv")
    # The sheet the run made from its tables in memory is the one indicators.csv gives: the same workbook, bytes and all.
    check(read(os.path.join(nc, "results.xlsx")) == read(os.path.join(with_csv, "results.xlsx")),
          "results.xlsx without indicators.csv = results.xlsx made from indicators.csv")
    run(FIVE_YEAR, csv, "--format", "csv", "--no-report")
    check(os.path.exists(os.path.join(with_csv, "indicators.csv"))
          and read(os.path.join(with_csv, "indicators.csv")) == read(os.path.join(csv, "indicators.csv")),
          "--indicators-csv: the csv format's indicators.csv")

    # cohortgis report: from results.nc in one folder, from indicators.csv in the other; the same bytes, and those
    # of the run's own report (indicators handed over from memory).
    for folder in (nc, with_csv):
        p = cli("report", folder)
        check(p.returncode == 0, f"cohortgis report {os.path.basename(folder)}: {p.returncode} {p.stderr}")
    a, b = figures(nc), figures(with_csv)
    check(len(a) >= 5 and a == b, f"report from results.nc = report from indicators.csv "
          f"({[k for k in a if a.get(k) != b.get(k)]})")
    check(a == run_figures, "cohortgis report = the run's report")

    p = cli("info", nc)
    check(p.returncode == 0 and "as cohortgis wrote them" in p.stdout, f"info: {p.returncode} {p.stderr}")
    p = cli("validate", FIVE_YEAR, "--results", nc)
    check(p.returncode == 0 and "unchanged" in p.stdout, f"validate --results: {p.returncode} {p.stderr}")
    png = os.path.join(tmp, "map.png")
    p = cli("map", nc, "--indicator", "share_65_plus_percent", "--year", "2035", "--out", png)
    check(p.returncode == 0 and os.path.getsize(png) > 1000, f"map: {p.returncode} {p.stderr}")
    p = cli("map", nc, "--indicator", "happiness", "--year", "2035", "--out", png)
    check(p.returncode == 1 and "'happiness' is not in" in p.stderr, f"map, unknown indicator: {p.stderr}")

    # A folder of an older version (no seal: its files cannot be verified) whose results.nc is hand-made: checked as
    # the population reader checks it before anything is read by the sizes it claims.
    import shutil
    import netCDF4
    legacy = os.path.join(tmp, "legacy")
    shutil.copytree(nc, legacy)
    with open(os.path.join(legacy, "manifest.json")) as f:
        man = json.load(f)
    man.pop("cohortgis_results", None)
    with open(os.path.join(legacy, "manifest.json"), "w") as f:
        json.dump(man, f)

    def hand_made(units, order):
        os.remove(os.path.join(legacy, "results.nc"))
        with netCDF4.Dataset(os.path.join(legacy, "results.nc"), "w") as ds:
            for name, n in (("variant", 1), ("year", 2), ("unit", units), ("indicator_group", 1), ("indicator", 2)):
                ds.createDimension(name, n)
                ds.createVariable(name, "i4" if name == "year" else str, (name,))
            ds.createVariable("indicators", "f8", order)

    hand_made(3, ("variant", "year", "indicator_group", "unit", "indicator"))
    p = cli("report", legacy)
    check(p.returncode == 1 and "variable indicators does not have the dimensions (variant, year, unit, "
          "indicator_group, indicator)" in p.stderr, f"hand-made results.nc, dimensions in another order: {p.stderr}")
    hand_made(300_000_000, ("variant", "year", "unit", "indicator_group", "indicator"))
    p = cli("report", legacy)
    check(p.returncode == 1 and "dimensions too large for a results.nc (1 variants, 2 years, 300000000 units" in p.stderr,
          f"hand-made results.nc, huge dimension: {p.returncode} {p.stderr[-300:]}")

    # The default scenario's [monitoring] reads indicators.csv back: kept in the netcdf format.
    d = os.path.join(tmp, "default")
    run("default", d, "--format", "netcdf", "--no-report")
    check(os.path.exists(os.path.join(d, "indicators.csv")) and os.path.exists(os.path.join(d, "monitoring.csv")),
          "[monitoring]: indicators.csv kept with --format netcdf")

    # Parity (tfr_order_* rows) and [households] headship rates (households, dwellings_needed rows) append rows that
    # results.nc does not have to indicators.csv: the file is kept in the netcdf format, with those rows.
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    for name, scenario, appended in (
            ("parity", os.path.join(fixtures, "scenarios", "parity", "scenario.toml"), ",tfr_order_1,"),
            ("households", os.path.join(fixtures, "planning", "planning.toml"), ",households,")):
        d = os.path.join(tmp, name)
        m = run(scenario, d, "--format", "netcdf", "--no-report")
        path = os.path.join(d, "indicators.csv")
        kept = os.path.exists(path) and "indicators.csv" in [f["path"] for f in m["files"]]
        check(kept and "results.nc" in [f["path"] for f in m["files"]], f"{name}: indicators.csv kept with --format netcdf")
        text = read(path).decode() if kept else ""
        # The whole file: the header and the engine's indicators (not the appended rows alone in a file of their own).
        check(text.startswith("variant,year,zone,group,indicator,value\n") and ",population," in text
              and appended in text, f"{name}: indicators.csv holds the indicators and the appended rows ({appended})")

finish()
print("indicators in results.nc checked")
