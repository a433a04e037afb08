# SPDX-License-Identifier: Apache-2.0
"""Runs one conformance case through the real command line and compares population.csv with expected.csv.

    run_case.py --exe cohortgis --case tests/conformance/<case> --work <tmp> [--data data]

The case folder holds scenario.toml, its tables, expected.csv (variant,year,zone,group,sex,age[,parity],population) and a
README.md with a line `Tolerance: 1e-9` (on |projected - expected| / max(|expected|, 1 person)) or
`Tolerance: 0.5 persons` (on |projected - expected|). Every expected row must be in the output. A row without a
parity column (or with parity `all`) is compared with the cell summed over population.csv's parity rows (women of a
run with parity have rows 0, 1, 2, 3+). Standard library only.

Nothing of expected.csv goes uncompared: a case without expected.csv (or without scenario.toml), a column of
expected.csv that is not one of those above, a row given twice, and a value that is not a finite number (expected or
projected: NaN compared as "not above the tolerance" passed) each fail the case, naming why.
"""
import argparse
import csv
import math
import os
import re
import shutil
import subprocess
import sys

KEY = ("variant", "year", "zone", "group", "sex", "age", "parity")


def read_tolerance(readme):
    if not os.path.isfile(readme):
        sys.exit(f"{readme}: no such file; a case's README.md names its source and holds its 'Tolerance:' line")
    with open(readme, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*(?:[-*]\s*)?(?:\*\*)?Tolerance:?(?:\*\*)?:?\s*([0-9.eE+-]+)\s*(persons?)?\b", line)
            if m:
                return float(m.group(1)), m.group(2) is not None
    sys.exit(f"{readme}: no line 'Tolerance: <number>' or 'Tolerance: <number> persons'")


def key_of(row, path, line):
    try:
        parity = (row.get("parity") or "all").strip()
        return tuple(row[k].strip() for k in KEY[:5]) + (str(int(float(row["age"]))), parity)
    except (KeyError, ValueError) as e:
        sys.exit(f"{path}:{line}: expected columns {','.join(KEY[:6])}[,parity],population ({e})")


def number(row, path, line):
    try:
        v = float(row["population"])
    except (KeyError, TypeError, ValueError):
        sys.exit(f"{path}:{line}: population {row.get('population')!r}; expected a number")
    if not math.isfinite(v):  # NaN is never "above the tolerance": it passed uncompared
        sys.exit(f"{path}:{line}: population {row['population']!r}; expected a finite number")
    return v


def read_population(path, expected=False):
    out, by_parity = {}, {}
    if expected and not os.path.isfile(path):
        sys.exit(f"{path}: no such file; a case needs its expected.csv (the rows to compare)")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        # A column of expected.csv that is not compared (a typo, births beside population) is an error, not ignored.
        extra = [c for c in reader.fieldnames or [] if c not in KEY + ("population",)]
        if expected and extra:
            sys.exit(f"{path}: column(s) {', '.join(extra)} would not be compared; expected only "
                     f"{','.join(KEY[:6])}[,parity],population")
        for line, row in enumerate(reader, start=2):
            key = key_of(row, path, line)
            if expected and key in out:  # the first of two rows was never compared
                sys.exit(f"{path}:{line}: a second row for {', '.join(f'{n}={v}' for n, v in zip(KEY, key))} "
                         f"(first at line {out[key][1]}); expected each cell once")
            out[key] = (number(row, path, line), line)
            if key[-1] != "all":  # the cell summed over parity, under parity `all`
                total, first = by_parity.get(key[:-1] + ("all",), (0.0, line))
                by_parity[key[:-1] + ("all",)] = (total + out[key][0], first)
    for key, value in by_parity.items():
        out.setdefault(key, value)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--data", help="the data folder (COHORTGIS_DATA_DIR)")
    ap.add_argument("--allow-read", action="append", default=[],
                    help="a folder the scenario may read besides its own (cohortgis --allow-read)")
    a = ap.parse_args()

    name = os.path.basename(os.path.normpath(a.case))
    if not os.path.isfile(os.path.join(a.case, "scenario.toml")):
        sys.exit(f"{name}: no scenario.toml in {a.case}; a case is a folder with scenario.toml and expected.csv")
    tol, absolute = read_tolerance(os.path.join(a.case, "README.md"))
    expected = read_population(os.path.join(a.case, "expected.csv"), expected=True)
    if not expected:
        sys.exit(f"{name}: expected.csv has no rows")

    shutil.rmtree(a.work, ignore_errors=True)
    env = dict(os.environ)
    if a.data:
        env["COHORTGIS_DATA_DIR"] = a.data
    cmd = [a.exe, "run", os.path.join(a.case, "scenario.toml"), "--out", a.work, "--no-report", "--quiet"]
    for d in a.allow_read:
        cmd += ["--allow-read", d]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{name}: {' '.join(cmd)} exited with {r.returncode}\n{r.stdout}{r.stderr}")
    got = read_population(os.path.join(a.work, "population.csv"))

    missing = [k for k in expected if k not in got]
    worst, where = -1.0, None
    for k, (e, line) in expected.items():
        if k not in got:
            continue
        diff = abs(got[k][0] - e)
        measure = diff if absolute else diff / max(abs(e), 1.0)
        if measure > worst:
            worst, where = measure, (k, line, e, got[k][0])
    unit = "persons (absolute)" if absolute else "(relative, |p - e| / max(|e|, 1))"
    print(f"{name}: {len(expected)} expected rows, {len(got)} output rows")
    if where:
        k, line, e, p = where
        print(f"largest difference {worst:.3e} {unit} at expected.csv:{line} "
              f"({', '.join(f'{n}={v}' for n, v in zip(KEY, k))}): expected {e!r}, projected {p!r}")
    print(f"tolerance {tol:g} {unit}")
    if missing:
        for k in missing[:10]:
            print("missing in population.csv: " + ", ".join(f"{n}={v}" for n, v in zip(KEY, k)))
        print(f"FAIL: {len(missing)} expected rows are not in the output")
        return 1
    if worst > tol:
        print("FAIL: above the tolerance")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
