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
