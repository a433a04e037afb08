# SPDX-License-Identifier: Apache-2.0
"""Parity scenarios ([fertility] parity_rates) in the in-memory run: cohortgis.run() projects the parity states beside
the engine as `cohortgis run` does, and population_frame() has population.csv's parity column (issue #15)."""
import pathlib

import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PARITY = str(ROOT / "tests" / "fixtures" / "scenarios" / "parity" / "scenario.toml")


@pytest.fixture(scope="module")
def parity_results(cg):
    return cg.load_scenario(PARITY).run(threads=2)


def test_frames_equal_population_csv(cg, parity_results, tmp_path):
    cg.write_outputs(PARITY, str(tmp_path / "out"), threads=1, format="csv")
    cli = pd.read_csv(tmp_path / "out" / "population.csv", dtype={"zone": str, "parity": str},
                      float_precision="round_trip", keep_default_na=False, na_values=[""])
    py = parity_results.population_frame()
    assert list(py.columns) == list(cli.columns) == ["variant", "year", "zone", "group", "sex", "age", "parity",
                                                     "population"]
    assert len(py) == len(cli) == 2 * 11 * 2 * 1 * 21 * 5  # variants × years × zones × group × ages × (4 + 1)
    pd.testing.assert_frame_equal(cli.drop(columns="population"), py.drop(columns="population"), check_dtype=False)
    assert (cli["population"].to_numpy() == py["population"].to_numpy()).all()  # bit for bit


def test_states_sum_to_the_women_and_the_run_has_births(parity_results):
    r = parity_results["baseline"]
    shares = r.parity_shares  # [year][zone][group][parity][age]
    assert shares.shape == (11, 2, 1, 4, 21)
    assert np.allclose(shares.sum(axis=3), 1.0, rtol=0, atol=1e-12)
    frame = parity_results.population_frame(["baseline"])
    women = frame[frame.sex == "female"].groupby(["year", "zone", "age"], sort=False)["population"].sum()
    assert np.allclose(women.to_numpy(), r.population[:, :, 0, 0, :].reshape(-1), rtol=1e-12, atol=0)
    # The parity states set each step's fertility: births as many as the command line's, not none.
    assert r.births.sum() > 0
    assert (shares[-1, :, :, 1, 18] > 0).all()  # mothers of one child at 18 after ten years of rates


def test_population_frame_without_parity_says_all(default_results):
    assert default_results["baseline"].parity_shares is None
    frame = default_results.population_frame(["baseline"])
    assert set(frame["parity"]) == {"all"}


def _read_csv(path):
    return pd.read_csv(path, dtype={"zone": str}, float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


def _same(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return (a == b) | (np.isnan(a) & np.isnan(b))


def test_indicator_frame_equals_the_cli_csvs_to_the_last_digit(cli, parity_results, tmp_path):
    # The command line's own files (the binary, not the library call) against the in-memory run's frames.
    import subprocess

    out = tmp_path / "cli"
    subprocess.run([cli, "run", PARITY, "--out", str(out), "--quiet", "--threads", "3", "--no-report",
                    "--format", "csv"], check=True)
    ind = _read_csv(out / "indicators.csv")
    py = parity_results.indicator_frame()
    # Row for row, in indicators.csv's order: every engine indicator, then the parity indicators of every variant.
    assert len(py) == len(ind)
    pd.testing.assert_frame_equal(ind.drop(columns="value"), py.drop(columns="value"), check_dtype=False)
    assert _same(ind["value"], py["value"]).all()
    names = parity_results["baseline"].parity_indicator_names
    assert "births_order_1" in names and "mothers_lost_only_child_60plus" in names
    assert set(names) <= set(py["indicator"])
    # parity.csv, column for column and bit for bit.
    wide = _read_csv(out / "parity.csv")
    pf = parity_results.parity_frame()
    assert list(pf.columns) == list(wide.columns)
    assert len(pf) == len(wide) == 2 * 10 * 3  # variants × steps × (2 zones + total)
    pd.testing.assert_frame_equal(wide[["variant", "zone", "year"]], pf[["variant", "zone", "year"]],
                                  check_dtype=False)
    for c in names:
        assert _same(wide[c], pf[c]).all(), c


def test_parity_indicators_add_up(parity_results):
    # Independent identities: births by order sum to the engine's births; the shares to 100 %; the total unit's
    # women 49+ by parity are the sum of the zones'.
    pf = parity_results.parity_frame(["baseline"])
    r = parity_results["baseline"]
    by_order = pf[["births_order_1", "births_order_2", "births_order_3_plus"]].sum(axis=1).to_numpy()
    births = r.births.sum(axis=(2, 3))  # [step][zone]
    zones = pf[pf.zone.isin(r.zone_ids)]
    np.testing.assert_allclose(by_order[zones.index], births.reshape(-1), rtol=1e-12)
    shares = pf[["share_order_1_percent", "share_order_2_percent", "share_order_3_plus_percent"]].sum(axis=1)
    np.testing.assert_allclose(shares, 100.0, rtol=1e-12)
    w49 = [f"women_49plus_parity_{p}" for p in ("0", "1", "2", "3_plus")]
    tot = pf[pf.zone == "total"][w49].to_numpy()
    per_zone = zones[w49].to_numpy().reshape(len(tot), len(r.zone_ids), 4).sum(axis=1)
    np.testing.assert_allclose(tot, per_zone, rtol=1e-12)


def test_no_parity_means_no_parity_rows(default_results):
    assert default_results["baseline"].parity_indicators is None
    assert default_results["baseline"].parity_indicator_names == []
    assert len(default_results.parity_frame()) == 0
    assert not default_results.indicator_frame()["indicator"].str.startswith("births_order").any()
