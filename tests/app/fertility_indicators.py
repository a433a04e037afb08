#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The optional fertility summaries `mean_age_childbearing`, `grr`, `nrr` (docs/results.md) through the command line:

- the UN's stable-population case (tests/conformance/un-stable-lotka-100-years: one zone, five-year steps, constant
  rates, mortality given as person-years Lx): every step's values are their definitions computed here from the case's
  own tables (NRR = Σ F_a · 5L_a / l_0 / (1 + SRB), the figure its make_case.py prints; GRR = 5 Σ F_a / (1 + SRB);
  MAC = Σ (a + 2.5) F_a / Σ F_a) in indicators.csv and results.nc alike, and a target on `nrr` reads them;
- the base year's rows list the stock indicators only (round 26: not these three flows, which were listed empty), in
  indicators.csv, in results.xlsx (made from the run's tables) and as results.nc's values (NaN there), which equal
  indicators.csv's at every row;
- the five-year Beijing example (two groups, death rates, an aggregate): every slot's GRR is its TFR times the female
  share at birth 1 / (1 + SRB) of the scenario's SRB (the same schedule: a zone's group its schedule, "all" and
  aggregates the pooled one), 0 < NRR <
  GRR, the mean age within the childbearing ages, and the rows of the other indicators are the bytes of the run that
  asks for none;
- a target on one of them in the base year is refused at its key.

Usage: fertility_indicators.py COHORTGIS_EXE
"""
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

from cli_checks import check, finish

EXE = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
LOTKA = os.path.join(HERE, "..", "conformance", "un-stable-lotka-100-years")
FIVE_YEAR = os.path.join(HERE, "..", "..", "scenarios", "examples", "beijing-2020-five-year", "scenario.toml")
ASKED = ["nrr", "mean_age_childbearing", "grr"]  # any order: kept


def run(scenario, out, ok=True):
    p = subprocess.run([EXE, "run", scenario, "--out", out, "--quiet", "--threads", "2", "--no-report", "--format",
                        "both"], capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"cohortgis run {scenario}: exit {p.returncode}: {p.stderr}")
    return p


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def table(path):
    by = {}
    for r in csv.DictReader(lines(path)):
        by.setdefault((r["variant"], r["year"], r["zone"], r["group"]), {})[r["indicator"]] = \
            float(r["value"]) if r["value"] != "" else float("nan")
    return by


def xlsx_rows(path, sheet):
    """The cells of a sheet of an xlsx workbook, row by row, by column letter (text as written; numbers as stored)."""
    m = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        rid = next(e.get(rel) for e in ET.fromstring(z.read("xl/workbook.xml")).iter(m + "sheet")
                   if e.get("name") == sheet)
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(e.get("Target") for e in rels if e.get("Id") == rid)
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = ["".join(t.text or "" for t in si.iter(m + "t"))
                      for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(m + "si")]
        out = []
        for row in ET.fromstring(z.read("xl/" + target.split("xl/")[-1])).iter(m + "row"):
            cells = {}
            for c in row.iter(m + "c"):
                col = "".join(ch for ch in c.get("r") if ch.isalpha())
                v = c.find(m + "v")
                if c.get("t") == "s":
                    cells[col] = shared[int(v.text)]
                elif c.get("t") == "inlineStr":
                    cells[col] = "".join(t.text or "" for t in c.iter(m + "t"))
                else:
                    cells[col] = v.text if v is not None else ""
            out.append(cells)
        return out


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(1.0, abs(b))


OUTPUTS = "\n[outputs]\nindicators = [" + ", ".join(f'"{n}"' for n in ASKED) + "]\n"

with tempfile.TemporaryDirectory(prefix="cohortgis_fertility_") as tmp:
    # The stable-population case, by the definitions from its own tables.
    case = os.path.join(tmp, "lotka")
    shutil.copytree(LOTKA, case)
    with open(os.path.join(case, "scenario.toml"), "a", encoding="utf-8") as g:
        g.write(OUTPUTS + "\n[[targets]]\nname = \"replacement\"\nindicator = \"nrr\"\nzone = \"total\"\n"
                "year = 2050\nmin = 1\n")
    run(os.path.join(case, "scenario.toml"), os.path.join(tmp, "lotka-out"))
    F = {int(r["age_start"]): float(r["value"]) for r in csv.DictReader(lines(os.path.join(LOTKA, "fert_rate_age_f.csv")))}
    L = {int(r["age_start"]): float(r["value"]) for r in csv.DictReader(lines(os.path.join(LOTKA, "life_table_age_sex.csv")))
         if r["sex"] == "female"}
    srb, l0 = 1.05, 100000.0  # scenario.toml's srb = 105; the default radix of an Lx table
    nrr = sum(F[a] * L[a] / l0 for a in F) / (1 + srb)
    grr = 5 * sum(F.values()) / (1 + srb)
    mac = sum((a + 2.5) * f for a, f in F.items()) / sum(F.values())
    by = table(os.path.join(tmp, "lotka-out", "indicators.csv"))
    years = sorted({int(k[1]) for k in by})
    check(len(years) == 21, f"years {years}")
    for key, v in by.items():
        if int(key[1]) == 2020:  # flows: not in the base year's rows (the stocks are)
            check(not any(n in v for n in ASKED) and "tfr" not in v and "population" in v,
                  f"{key}: base year lists {[n for n in ASKED if n in v]}")
            continue
        check(close(v["nrr"], nrr), f"{key}: nrr {v['nrr']!r}, expected {nrr!r}")
        check(close(v["grr"], grr), f"{key}: grr {v['grr']!r}, expected {grr!r}")
        check(close(v["mean_age_childbearing"], mac), f"{key}: mean age {v['mean_age_childbearing']!r}, {mac!r}")
    targets = list(csv.DictReader(lines(os.path.join(tmp, "lotka-out", "targets.csv"))))
    check(len(targets) == 1 and close(float(targets[0]["value"]), nrr, 1e-9), f"target rows: {targets}")
    import xarray as xr  # the run's results.nc holds the same indicators
    with xr.open_dataset(os.path.join(tmp, "lotka-out", "results.nc")) as ds:
        names = [str(x) for x in ds["indicator"].values]
        check(names[-3:] == ASKED, f"results.nc indicators: {names[-5:]}")
        v = ds["indicators"].sel(variant="baseline", year=2050, unit="total", indicator_group="all",
                                 indicator="nrr").item()
        check(close(v, nrr), f"results.nc nrr {v!r}")
        # Every value of results.nc is indicators.csv's where the file has the row, NaN where it has none (the base
        # year's flows).
        cube = ds["indicators"].sel(variant="baseline")
        rows = 0
        for year in cube["year"].values:
            for unit in cube["unit"].values:
                for group in cube["indicator_group"].values:
                    values = cube.sel(year=year, unit=unit, indicator_group=group).values
                    csv_row = by.get(("baseline", str(int(year)), str(unit), str(group)), {})
                    for name, x in zip(names, values):
                        if name in csv_row:
                            rows += 1
                            same = x == csv_row[name] or (math.isnan(x) and math.isnan(csv_row[name]))
                            check(same, f"results.nc {year} {unit} {group} {name}: {x!r}, csv {csv_row[name]!r}")
                        else:
                            check(math.isnan(x), f"results.nc {year} {unit} {group} {name}: {x!r}, not in the csv")
        check(rows == sum(len(v) for v in by.values()), f"results.nc: {rows} values of the csv's rows")
    # results.xlsx (the run's report, its indicators sheet from the tables in memory): indicators.csv's rows.
    report = os.path.join(tmp, "lotka-report")
    p = subprocess.run([EXE, "run", os.path.join(case, "scenario.toml"), "--out", report, "--quiet", "--threads", "2",
                        "--format", "netcdf"], capture_output=True, text=True)
    check(p.returncode == 0, f"run with the report: exit {p.returncode}: {p.stderr}")
    sheet = xlsx_rows(os.path.join(report, "results.xlsx"), "indicators")
    header = sheet[0]
    col = {header[c]: c for c in header}
    in_sheet = {(r[col["year"]].removesuffix(".0"), r[col["zone"]], r[col["group"]], r[col["indicator"]])
                for r in sheet[1:]}
    in_csv = {(k[1], k[2], k[3], n) for k, v in by.items() for n in v}
    check(len(sheet) - 1 == len(in_csv) and in_sheet == in_csv,
          f"results.xlsx: {len(sheet) - 1} rows, {len(in_sheet ^ in_csv)} differ from indicators.csv's, e.g. "
          f"{sorted(in_sheet ^ in_csv)[:3]}")

    # The Beijing five-year example: two groups, death rates, aggregates.
    scenario = os.path.join(tmp, "beijing.toml")
    with open(FIVE_YEAR, encoding="utf-8") as f, open(scenario, "w", encoding="utf-8") as g:
        g.write(f.read() + OUTPUTS)
    run(scenario, os.path.join(tmp, "asked"))
    run(FIVE_YEAR, os.path.join(tmp, "plain"))
    asked = lines(os.path.join(tmp, "asked", "indicators.csv"))
    plain = lines(os.path.join(tmp, "plain", "indicators.csv"))
    check([ln for ln in asked if not any(f",{n}," in ln for n in ASKED)] == plain,
          "the other indicators' rows are not the bytes of the run that asks for none")
    n = 0
    for key, v in table(os.path.join(tmp, "asked", "indicators.csv")).items():
        if int(key[1]) == 2020:
            continue
        n += 1
        share = 1 / (1 + 1.123)  # the example's srb = 112.3
        check(close(v["grr"], v["tfr"] * share, 1e-12), f"{key}: grr {v['grr']} != tfr · s {v['tfr'] * share}")
        check(0 < v["nrr"] < v["grr"], f"{key}: nrr {v['nrr']} not in (0, grr {v['grr']})")
        check(0.9 < v["nrr"] / v["grr"] < 1.0, f"{key}: nrr / grr {v['nrr'] / v['grr']}")  # survival to ~29
        check(20 < v["mean_age_childbearing"] < 40, f"{key}: mean age {v['mean_age_childbearing']}")
    check(n >= 3 * 3 * 19, f"only {n} slots checked")

    # A target in the base year: refused at its key.
    bad = os.path.join(case, "bad.toml")
    with open(os.path.join(case, "scenario.toml"), encoding="utf-8") as f, open(bad, "w", encoding="utf-8") as g:
        g.write(f.read().replace("year = 2050", "year = 2020"))
    p = run(bad, os.path.join(tmp, "bad-out"), ok=False)
    check(p.returncode != 0 and "targets" in p.stderr and "base year 2020" in p.stderr and "nrr" in p.stderr,
          f"base-year target: exit {p.returncode}: {p.stderr}")

if not finish():
    print("fertility indicators checked")
