#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""population.csv's parity column (issue #15) through the command line, on the two-zone parity fixture
(tests/fixtures/scenarios/parity, two variants) with --format both:
- the women of every cell are four rows, parity 0, 1, 2, 3+; the men one row, parity `all`;
- the four states sum to the women of the cell as results.nc's `population` holds them (the engine's array, written
  directly, not through the parity shares);
- results.nc's `women_by_parity` holds exactly the values of the parity rows;
- births by order (parity.csv) sum to the births of components.csv (both sexes, every group) of the same year;
- the same bytes at one thread;
- a run without parity (tests/fixtures/scenarios/good.toml) has parity `all` on every row and no `women_by_parity`.

Usage: parity_population.py COHORTGIS_EXE FIXTURES_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import xarray as xr

from cli_checks import check, finish

EXE, FIXTURES = sys.argv[1], sys.argv[2]


def run(scenario, out, *opts):
    p = subprocess.run([EXE, "run", scenario, "--out", out, "--quiet", "--no-report", *opts],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cohortgis run {scenario}: exit {p.returncode}: {p.stderr}")


def read(path):
    return pd.read_csv(path, dtype={"zone": str, "parity": str}, float_precision="round_trip",
                       keep_default_na=False, na_values=[""])


with tempfile.TemporaryDirectory() as work:
    out = os.path.join(work, "parity")
    run(os.path.join(FIXTURES, "scenarios", "parity", "scenario.toml"), out, "--format", "both")
    pop = read(os.path.join(out, "population.csv"))
    check(list(pop.columns) == ["variant", "year", "zone", "group", "sex", "age", "parity", "population"],
          f"population.csv columns: {list(pop.columns)}")
    men, women = pop[pop["sex"] == "male"], pop[pop["sex"] == "female"]
    check(set(men["parity"]) == {"all"}, "men: parity all")
    cell = ["variant", "year", "zone", "group", "age"]
    states = women.groupby(cell)["parity"].apply(tuple)
    check(len(states) == len(men) and (states == ("0", "1", "2", "3+")).all(),
          "women: four rows per cell, parity 0, 1, 2, 3+ in that order")

    ds = xr.open_dataset(os.path.join(out, "results.nc"))
    variants = [str(v) for v in ds["variant"].values]
    years = [int(y) for y in ds["year"].values]
    zones = [str(z) for z in ds["zone"].values]
    groups = [str(g) for g in ds["group"].values]
    ages = [int(a) for a in ds["age"].values]
    idx = lambda values, names: pd.Index(names).get_indexer(values)  # noqa: E731

    # Σ over parity = the women of the cell (the engine's array in results.nc): shares that sum to 1, to rounding.
    summed = women.groupby(cell, sort=False)["population"].sum().reset_index()
    engine = ds["population"].sel(sex="female").values
    at = (idx(summed["variant"], variants), idx(summed["year"], years), idx(summed["zone"], zones),
          idx(summed["group"], groups), idx(summed["age"], ages))
    got, want = summed["population"].to_numpy(), engine[at]
    check(len(summed) == engine.size, f"{len(summed)} women's cells for {engine.size} in results.nc")
    check(float(want.sum()) > 0, "the run has women")
    worst = float(np.max(np.abs(got - want) / np.maximum(want, 1.0)))
    check(worst < 1e-12, f"parity states sum to the women of the cell (worst relative difference {worst:.2e})")
    check(float(women[women["parity"] != "0"]["population"].sum()) > 0, "some women are mothers")

    # results.nc women_by_parity: exactly the parity rows of population.csv.
    var = ds["women_by_parity"]
    check(var.dims == ("variant", "year", "zone", "group", "parity", "age"), f"women_by_parity dims {var.dims}")
    check([str(p) for p in ds["parity"].values] == ["0", "1", "2", "3+"], "parity coordinate")
    nc = var.values[idx(women["variant"], variants), idx(women["year"], years), idx(women["zone"], zones),
                    idx(women["group"], groups), idx(women["parity"], ["0", "1", "2", "3+"]),
                    idx(women["age"], ages)]
    check(var.size == len(women) and np.array_equal(nc, women["population"].to_numpy()),
          "results.nc women_by_parity equals population.csv's parity rows")
    ds.close()

    # Births by order sum to the births of the year (components.csv, both sexes, every group).
    par = read(os.path.join(out, "parity.csv"))
    comp = pd.read_csv(os.path.join(out, "components.csv"), dtype={"zone": str, "period": str},
                       float_precision="round_trip")
    births = comp[comp["component"] == "births"].groupby(["variant", "period", "zone"])["persons"].sum()
    par = par[par["zone"].isin(zones)]
    by_order = par[["births_order_1", "births_order_2", "births_order_3_plus"]].sum(axis=1).to_numpy()
    total = np.array([births[(v, str(y), z)] for v, y, z in zip(par["variant"], par["year"], par["zone"])])
    check(len(par) == 2 * 10 * 2 and float(total.min()) > 0, "births of every variant, year and zone")
    worst = float(np.max(np.abs(by_order - total) / total))
    check(worst < 1e-9, f"births by order sum to births (worst relative difference {worst:.2e})")

    # Reproducible: the same bytes at 1 thread as at the default.
    one = os.path.join(work, "one")
    run(os.path.join(FIXTURES, "scenarios", "parity", "scenario.toml"), one, "--format", "csv", "--threads", "1")
    with open(os.path.join(out, "population.csv"), "rb") as a, open(os.path.join(one, "population.csv"), "rb") as b:
        check(a.read() == b.read(), "population.csv byte-identical at 1 thread")

    # Without parity: `all` on every row, no parity in results.nc.
    plain = os.path.join(work, "plain")
    run(os.path.join(FIXTURES, "scenarios", "good.toml"), plain, "--format", "both")
    p = read(os.path.join(plain, "population.csv"))
    check("parity" in p.columns and set(p["parity"]) == {"all"}, "without parity: parity all")
    with xr.open_dataset(os.path.join(plain, "results.nc")) as d:
        check("women_by_parity" not in d and "parity" not in d.dims, "without parity: no parity in results.nc")

finish()
print("parity rows of population.csv checked")
