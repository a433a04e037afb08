# SPDX-License-Identifier: Apache-2.0
"""ScenarioSet.run(trajectories=N): quantile frames and xarray trajectories, the same numbers as the command line."""
import os
import pathlib
import signal
import subprocess
import time
import warnings

import numpy as np
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "tests" / "fixtures" / "scenarios" / "stochastic.toml"


@pytest.fixture(scope="module")
def stochastic_set(cg):
    return cg.load_scenario(str(SCENARIO))


def test_trajectories_and_quantiles(stochastic_set):
    e = stochastic_set.run(threads=2, trajectories=30, seed=5)
    da = e.trajectories("population")
    assert da.dims == ("variant", "trajectory", "year", "zone")
    assert da.shape == (1, 30, 2, 3)
    assert list(da.coords["zone"].values) == ["A", "B", "total"]
    # Zone A + zone B = the whole area in every trajectory (the books of the summary cells).
    np.testing.assert_allclose(da.sel(zone="A") + da.sel(zone="B"), da.sel(zone="total"), rtol=1e-12)
    q = e.quantiles
    assert list(q.columns) == ["variant", "year", "zone", "group", "indicator", "q025", "q10", "q50", "q90", "q975",
                               "mean"]
    assert len(q) == 2 * 3 * 5
    row = q[(q.year == 2030) & (q.zone == "A") & (q.indicator == "population")].iloc[0]
    values = np.sort(da.sel(variant="baseline", year=2030, zone="A").values)
    assert row.q50 == pytest.approx((values[14] + values[15]) / 2, rel=1e-14)  # type 7, n = 30: h = 14.5
    assert row["mean"] == pytest.approx(values.mean(), rel=1e-14)
    assert values[0] < values[-1]  # the trajectories differ
    # Same seed, any thread count: the same numbers; another seed: others.
    again = stochastic_set.run(threads=1, trajectories=30, seed=5).trajectories("population")
    np.testing.assert_array_equal(again.values, da.values)
    other = stochastic_set.run(threads=1, trajectories=30, seed=6).trajectories("population")
    assert not np.array_equal(other.values, da.values)


@pytest.mark.parametrize("n", [2, 7, 30])
def test_same_numbers_as_the_command_line(stochastic_set, cli, tmp_path, n):
    # The same bits as quantiles.csv: numpy's "linear" quantile computes b - (b - a)(1 - t) for t >= 0.5, one unit
    # in the last place off the file's a + t(b - a) in some cells (n = 2 and 7 here).
    out = tmp_path / "out"
    subprocess.run([cli, "run", str(SCENARIO), "--out", str(out), "--trajectories", str(n), "--seed", "5",
                    "--no-report", "-q"], check=True)
    csv = pd.read_csv(out / "quantiles.csv", float_precision="round_trip")
    py = stochastic_set.run(threads=2, trajectories=n, seed=5).quantiles
    merged = csv.merge(py, on=["variant", "year", "zone", "group", "indicator"], suffixes=("_cli", "_py"))
    assert len(merged) == len(csv) == len(py)
    # Bit for bit: numpy's "linear" quantile was one ulp off the command line's above each midpoint (a q025 here).
    for c in ["q025", "q10", "q50", "q90", "q975", "mean"]:
        np.testing.assert_array_equal(merged[c + "_py"], merged[c + "_cli"], err_msg=c)


def test_trajectories_without_deviations_warn(cg, stochastic_set):
    # N identical trajectories (quantiles without spread) came back without a word.
    plain = cg.load_scenario(str(SCENARIO.parent / "good.toml"))
    with pytest.warns(UserWarning, match=r"trajectories=2: the scenario has no \[stochastic\] section, so every "
                                         r"trajectory equals the deterministic projection") as record:
        e = plain.run(threads=1, trajectories=2, variants=["baseline"])
    assert record[0].filename == __file__  # said at the user's line
    np.testing.assert_array_equal(e.quantiles["q025"], e.quantiles["q975"])  # NaN where the grid has no 65+
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a set with deviations: no warning
        stochastic_set.run(threads=1, trajectories=2)


def test_progress_of_the_trajectories_and_of_write_outputs(cg, stochastic_set, tmp_path, capfd):
    # Only the deterministic runs reported progress: the trajectories and write_outputs ran without a word.
    seen = []
    stochastic_set.run(threads=1, trajectories=20, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (20, 20) and (2, 2) in seen  # the steps, then the trajectories
    stochastic_set.run(threads=1, trajectories=20, progress=True)
    assert "cohortgis: baseline: trajectory 20/20" in capfd.readouterr().err
    steps = []
    cg.write_outputs(str(SCENARIO), str(tmp_path / "out"), progress=lambda done, total: steps.append((done, total)))
    assert steps == [(0, 2), (1, 2), (2, 2)]
    cg.write_outputs(str(SCENARIO), str(tmp_path / "out"), progress=True)
    assert "cohortgis: baseline: step 2/2" in capfd.readouterr().err
    cg.write_outputs(str(SCENARIO), str(tmp_path / "out"))  # quiet by default
    stochastic_set.run(threads=1, trajectories=20, progress=False)
    assert capfd.readouterr().err == ""
    with pytest.raises(TypeError, match=r"progress: 'yes' \(str\) is not a bool or a callable; expected None, "
                                        r"True, False or a callable"):
        cg.write_outputs(str(SCENARIO), str(tmp_path / "out"), progress="yes")


def test_bad_arguments(stochastic_set):
    with pytest.raises(ValueError, match="^trajectories: 0 is out of range; expected an int from 1 to 10000000$"):
        stochastic_set.run(trajectories=0)
    with pytest.raises(ValueError, match="'tfr_typo' is not an indicator"):
        stochastic_set.run(trajectories=2, indicators=["tfr_typo"])
    # A name given twice gave its quantile rows twice; refused as [outputs] indicators refuses it.
    with pytest.raises(ValueError, match="indicators: indicator 'population' is listed twice"):
        stochastic_set.run(trajectories=2, indicators=["population", "tfr", "population"])


def test_trajectories_and_seed_are_ints(stochastic_set):
    # int("5") and int(2.5) ran 5 and 2 trajectories before; 2**40 had no upper bound in Python.
    with pytest.raises(TypeError, match=r"trajectories: 2\.5 \(float\) is not an int; expected an int"):
        stochastic_set.run(trajectories=2.5)
    with pytest.raises(TypeError, match=r"trajectories: \'5\' \(str\) is not an int; expected an int"):
        stochastic_set.run(trajectories="5")
    with pytest.raises(TypeError, match=r"seed: 1\.5 \(float\) is not an int; expected an int"):
        stochastic_set.run(trajectories=2, seed=1.5)
    with pytest.raises(ValueError, match="^trajectories: 1099511627776 is out of range; expected an int from 1 to "
                                         "10000000$"):
        stochastic_set.run(trajectories=2**40)


def test_ctrl_c_stops_a_long_ensemble(stochastic_set):
    """SIGINT during ScenarioSet.run(trajectories=N) raises KeyboardInterrupt within a second: the trajectories run on
    a thread of their own while the main thread checks for signals (a million take about 11 s on a 2-core VM; before
    round 11 Ctrl-C waited for all of them). The set runs again afterwards."""
    old = signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            stochastic_set.run(threads=2, trajectories=1_000_000)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert time.monotonic() - t0 < 1.5
    again = stochastic_set.run(threads=2, trajectories=30, seed=5).trajectories("population")
    assert again.shape == (1, 30, 2, 3) and np.isfinite(again.values).all()


def test_trajectories_read_the_file_with_the_folders_it_was_loaded_with(cg, tmp_path):
    # run(trajectories=N) reads the file's [stochastic] section again: it did so with the default data folder and
    # no allow_read folder, so a set whose table lies in an allow_read folder was refused there ("outside the
    # folders"), and a data: path would have been another folder's file.
    fixtures = SCENARIO.parent
    here, other = tmp_path / "scenario", tmp_path / "tables"
    here.mkdir()
    other.mkdir()
    for name in ("asfr.csv", "mx.csv"):
        (here / name).write_bytes((fixtures / name).read_bytes())
    (other / "base.csv").write_bytes((fixtures / "base.csv").read_bytes())
    text = SCENARIO.read_text(encoding="utf-8").replace('table = "base.csv"', f'table = "{other / "base.csv"}"')
    assert str(other) in text
    (here / "s.toml").write_text(text, encoding="utf-8")
    s = cg.load_scenario(str(here / "s.toml"), allow_read=[str(other)])
    e = s.run(threads=1, trajectories=3, seed=5)
    reference = cg.load_scenario(str(SCENARIO)).run(threads=1, trajectories=3, seed=5)
    np.testing.assert_array_equal(e.trajectories("population").values,
                                  reference.trajectories("population").values)
