# SPDX-License-Identifier: Apache-2.0
"""A back-test is an exam: cg.estimate and cg.backtest (and their command lines) never read what is dated after
the launch year (Beijing 2010 -> 2020, as tests/app/test_backtest.cpp BacktestExam does for the C++ jobs)."""
import csv
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

EXAMPLE = ROOT / "scenarios" / "examples" / "beijing-backtest-2010"


def perturb(path, column, pick, factor):
    """Multiplies `column` by `factor` in the rows of a CSV file where pick(row) holds; returns the rows changed."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    changed = 0
    for r in rows:
        if pick(r):
            r[column] = repr(float(r[column]) * factor)
            changed += 1
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return changed


def planner_run(cg, cli, ex, data, out):
    """The estimate of 2000-2010 migration and the back-test, as README.md's steps 2 and 3, in Python and on the
    command line; the files by name."""
    cg.estimate(str(ex / "census2000_units.csv"), str(ex / "census2010_units.csv"), (2000, 2010), str(out / "est"),
                first_crosswalk=str(ex / "crosswalk_2000_2020.csv"),
                second_crosswalk=str(ex / "crosswalk_2010_2020.csv"))
    # The plan-2004 variant's control total of 2020 is a figure of the year scored: named as a look-ahead.
    with pytest.warns(UserWarning, match=r"plan-2004: control totals \(\[controls\]\) of 2020"):
        s = cg.backtest(str(ex / "scenario.toml"), observed=str(ex / "observed_2020.csv"), out_dir=str(out / "bt"),
                        earlier=str(ex / "earlier_2000.csv"), threads=1, data_dir=str(data), report=False)
    assert (s["launch_year"], s["observed_year"]) == (2010, 2020)
    files = {"est/" + n: (out / "est" / n).read_bytes() for n in ("net_migration.csv", "population_2010.csv")}
    env = {**os.environ, "COHORTGIS_DATA_DIR": str(data)}
    subprocess.run([cli, "estimate", "--first", str(ex / "census2000_units.csv"), "--first-crosswalk",
                    str(ex / "crosswalk_2000_2020.csv"), "--second", str(ex / "census2010_units.csv"),
                    "--second-crosswalk", str(ex / "crosswalk_2010_2020.csv"), "--years", "2000:2010", "--out",
                    str(out / "cli_est")], check=True, capture_output=True, env=env)
    subprocess.run([cli, "backtest", str(ex / "scenario.toml"), "--observed", str(ex / "observed_2020.csv"),
                    "--earlier", str(ex / "earlier_2000.csv"), "--out", str(out / "cli_bt"), "--threads", "1",
                    "--no-report", "--quiet"], check=True, capture_output=True, env=env)
    for folder in ("bt", "cli_bt"):
        for p in (out / folder).iterdir():
            if p.is_file() and not p.name.startswith("backtest") and p.name != "manifest.json":
                files[folder + "/" + p.name] = p.read_bytes()
    for n in ("net_migration.csv", "population_2010.csv"):
        files["cli_est/" + n] = (out / "cli_est" / n).read_bytes()
        assert files["cli_est/" + n] == files["est/" + n], n
    assert files["cli_bt/population.csv"] == files["bt/population.csv"]
    return files, s


def test_nothing_dated_after_the_launch_year_reaches_the_projection(cg, cli, tmp_path):
    ex, data = tmp_path / "example", tmp_path / "data"
    shutil.copytree(EXAMPLE, ex, ignore=shutil.ignore_patterns("results"))
    for d in ("geo", "wpp"):
        shutil.copytree(ROOT / "data" / d, data / d)
    before, s_before = planner_run(cg, cli, ex, data, tmp_path / "a")
    assert "bt/population.csv" in before and len(before) >= 5
    # The exam (×3, its breakdowns still add up) and WPP's rates of the later period 2015-2020.
    assert perturb(ex / "observed_2020.csv", "population", lambda r: True, 3.0) == 16 * 37
    wpp = data / "wpp"
    assert perturb(wpp / "mortality_mx_abridged_2010_2020.csv", "mx", lambda r: r["period_start"] != "2010", 2.0)
    assert perturb(wpp / "fertility_asfr_5y_2010_2020.csv", "asfr", lambda r: r["period_start"] != "2010", 2.0)
    after, s_after = planner_run(cg, cli, ex, data, tmp_path / "b")
    assert sorted(after) == sorted(before)
    for name, content in before.items():
        assert after[name] == content, name + " changed"
    # Only the scores moved: every forecast is now far too low.
    assert all(f["malpe_percent"] < -50 for f in s_after["scores"])
    # The launch period's death rates reach the projection (so the comparison above can fail).
    assert perturb(wpp / "mortality_mx_abridged_2010_2020.csv", "mx", lambda r: r["period_start"] == "2010", 1.1)
    launch, _ = planner_run(cg, cli, ex, data, tmp_path / "c")
    assert launch["bt/population.csv"] != before["bt/population.csv"]
    assert launch["cli_bt/population.csv"] != before["cli_bt/population.csv"]
