# SPDX-License-Identifier: Apache-2.0
"""Runs one conformance case through the real command line and compares population.csv with expected.csv.

    run_case.py --exe cohortgis --case tests/conformance/<case> --work <tmp> [--data data]

The case folder holds scenario.toml, its tables, expected.csv (variant,year,zone,group,sex,age[,parity],population) and a
README.md with a line `Tolerance: 1e-9` (on |projected - expected| / max(|expected|, 1 person)) or
`Tolerance: 0.5 persons` (on |projected - expected|). Every expected row must be in the output. A row without a
parity column (or with parity `all`) is compared with the cell summed over population.csv's parity rows (women of a
run with parity have rows 0, 1, 2, 3+).

Two more files are compared when the case has them, with the same tolerance and measure:
- expected_components.csv (variant,period,zone,group,sex,age,component,persons; `age` empty for births and
  newborn transfers) against components.csv. components.csv leaves out rows of exactly 0 persons, so an expected
  row that the output lacks is compared with 0 (an expected nonzero value then fails as a difference);
- expected_indicators.csv (variant,year,zone,group,indicator,value) against indicators.csv. Every expected row
  must be in the output; an empty expected value (not defined) must be empty there too.
Output rows that a file does not list are not compared. Standard library only.

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


COMPONENT_KEY = ("variant", "period", "zone", "group", "sex", "age", "component")
INDICATOR_KEY = ("variant", "year", "zone", "group", "indicator")


def read_keyed(path, key_columns, value_column):
    """Rows of a CSV by key -> (value or None for an empty cell, line); an age is read as a whole number."""
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                key = tuple(row[k].strip() for k in key_columns)
                if "age" in key_columns and key[key_columns.index("age")] != "":
                    i = key_columns.index("age")
                    key = key[:i] + (str(int(float(key[i]))),) + key[i + 1:]
                cell = row[value_column].strip()
                value = float(cell) if cell != "" else None
            except (KeyError, ValueError) as e:
                sys.exit(f"{path}:{line}: expected columns {','.join(key_columns + (value_column,))} ({e})")
            if key in out:
                sys.exit(f"{path}:{line}: a second row for {key}")
            out[key] = (value, line)
    return out


def compare(name, file, what, key_columns, expected, got, tol, absolute, absent_is_zero):
    """Prints the largest difference of one file and returns the number of failures (0 or 1)."""
    unit = "persons (absolute)" if absolute else "(relative, |p - e| / max(|e|, 1))"
    worst, where, missing, undefined = -1.0, None, [], []
    for k, (e, line) in expected.items():
        if k in got:
            p = got[k][0]
        elif absent_is_zero:
            p = 0.0
        else:
            missing.append(k)
            continue
        if e is None or p is None:
            if (e is None) != (p is None):
                undefined.append((k, line, e, p))
            continue
        diff = abs(p - e)
        measure = diff if absolute else diff / max(abs(e), 1.0)
        if measure > worst:
            worst, where = measure, (k, line, e, p)
    print(f"{name}: {what}: {len(expected)} expected rows")
    if where:
        k, line, e, p = where
        print(f"largest difference in {what} {worst:.3e} {unit} at {file}:{line} "
              f"({', '.join(f'{n}={v}' for n, v in zip(key_columns, k))}): expected {e!r}, projected {p!r}")
    for k, line, e, p in undefined[:10]:
        print(f"{file}:{line} ({', '.join(f'{n}={v}' for n, v in zip(key_columns, k))}): "
              f"expected {'empty' if e is None else repr(e)}, projected {'empty' if p is None else repr(p)}")
    for k in missing[:10]:
        print(f"missing in {what}: " + ", ".join(f"{n}={v}" for n, v in zip(key_columns, k)))
    if missing:
        print(f"FAIL: {len(missing)} expected rows are not in {what}")
        return 1
    if undefined:
        print(f"FAIL: {len(undefined)} rows of {what} defined in one file and empty in the other")
        return 1
    if worst > tol:
        print(f"FAIL: {what} above the tolerance")
        return 1
    return 0


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
    failures = 0
    for file, out_file, key_columns, value_column, absent_is_zero in (
            ("expected_components.csv", "components.csv", COMPONENT_KEY, "persons", True),
            ("expected_indicators.csv", "indicators.csv", INDICATOR_KEY, "value", False)):
        path = os.path.join(a.case, file)
        if not os.path.exists(path):
            continue
        want = read_keyed(path, key_columns, value_column)
        if not want:
            sys.exit(f"{name}: {file} has no rows")
        out_path = os.path.join(a.work, out_file)
        if not os.path.exists(out_path):
            print(f"FAIL: the run wrote no {out_file} to compare with {file}")
            return 1
        got_rows = read_keyed(out_path, key_columns, value_column)
        failures += compare(name, file, out_file, key_columns, want, got_rows, tol, absolute, absent_is_zero)
    if failures:
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
