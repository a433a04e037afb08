# SPDX-License-Identifier: Apache-2.0
"""Results from Python: zero-copy NumPy views, and equality with the command line's outputs cell for cell."""
import gc
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import FIVE_YEAR


def test_import_without_download(cg):
    # The module comes from the build tree (PYTHONPATH=build/python), next to the pure-Python package.
    assert cg.__version__
    assert cg._cohortgis.__file__.endswith(".so")
    assert pathlib_parent(cg.__file__) == pathlib_parent(cg._cohortgis.__file__)


def pathlib_parent(p):
    import pathlib

    return pathlib.Path(p).resolve().parent


def test_population_is_a_view_of_the_engine_buffer(default_results):
    r = default_results["baseline"]
    for name in ("population", "final_population", "indicators", "births", "deaths", "net_migration"):
        a = getattr(r, name)
        # The array's memory is the C++ buffer itself, and the array keeps the C++ object alive through .base.
        assert a.__array_interface__["data"][0] == r._buffer_address(name), name
        assert a.base is r, name
        assert not a.flags.owndata and not a.flags.writeable, name
        assert a.dtype == np.float64 and a.flags.c_contiguous, name
    # Two reads share the same memory (nothing is copied per access).
    assert np.shares_memory(r.population, r.population)
    # final_population is the last year of population itself (the engine, with its own arrays, is freed when the run
    # ends; its final population was copied there by the last step).
    assert r._buffer_address("final_population") == r.population[-1].__array_interface__["data"][0]
    assert np.shares_memory(r.final_population, r.population[-1])
    np.testing.assert_array_equal(r.final_population, r.population[-1])


def test_views_keep_the_results_alive(cg):
    res = cg.load_scenario(FIVE_YEAR).run(threads=1)
    pop = res["baseline"].population
    expected = np.array(pop)  # a copy to compare with
    address = res["baseline"]._buffer_address("population")
    del res
    gc.collect()
    # The RunResult (and its buffer) lives as long as the view: same memory, same values.
    assert pop.__array_interface__["data"][0] == address
    np.testing.assert_array_equal(pop, expected)
    base = pop.base
    del pop
    gc.collect()
    assert base.population.shape == expected.shape


def _read(path):
    return pd.read_csv(path, dtype={"zone": str}, float_precision="round_trip", keep_default_na=False,
                       na_values=[""])


def test_population_equals_app_run_cell_for_cell(cg, default_results, tmp_path):
    summary = cg.write_outputs(FIVE_YEAR, str(tmp_path / "out"), threads=2)
    assert "population.csv" in summary["files"]
    cli = _read(tmp_path / "out" / "population.csv")
    py = default_results.population_frame()
    assert list(cli.columns) == list(py.columns)
    assert len(cli) == len(py) == 3 * 4 * 16 * 2 * 2 * 18
    pd.testing.assert_frame_equal(cli.drop(columns="population"), py.drop(columns="population"), check_dtype=False)
    # Exact: the CSV is written in the shortest form that reads back to the same double.
    assert (cli["population"].to_numpy() == py["population"].to_numpy()).all()


def test_indicators_equal_app_run(cg, default_results, tmp_path):
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "out"), threads=1)
    cli = _read(tmp_path / "out" / "indicators.csv")
    py = default_results.indicator_frame()
    assert len(cli) == len(py)
    m = cli.merge(py, on=["variant", "year", "zone", "group", "indicator"], suffixes=("_cli", "_py"))
    assert len(m) == len(cli)
    same = (m["value_cli"] == m["value_py"]) | (m["value_cli"].isna() & m["value_py"].isna())
    assert same.all(), m[~same].head()


def test_fertility_summaries_are_flows_as_in_the_files(cg, cli, tmp_path):
    """mean_age_childbearing, grr and nrr describe a step's births (round 26): indicator_is_stock says so, and
    indicator_frame's base year lists none of them, as indicators.csv; every row and value is the command line's."""
    asked = ["grr", "nrr", "mean_age_childbearing"]
    scenario = tmp_path / "asked.toml"
    with open(FIVE_YEAR, encoding="utf-8") as f:
        scenario.write_text(f.read() + "\n[outputs]\nindicators = [" + ", ".join(f'"{n}"' for n in asked) + "]\n",
                            encoding="utf-8")
    subprocess.run([cli, "run", str(scenario), "--out", str(tmp_path / "out"), "--quiet", "--no-report",
                    "--threads", "2"], check=True)
    results = cg.load_scenario(str(scenario)).run(threads=2)
    r = results[results.variants[0]]
    stock = dict(zip(r.indicator_names, r.indicator_is_stock))
    assert [stock[n] for n in asked + ["tfr", "population", "median_age"]] == [False] * 4 + [True] * 2
    py = results.indicator_frame()
    base = py[py["year"] == results.years[0]]
    assert len(base) and not base["indicator"].isin(asked).any()
    assert py["indicator"].isin(asked).any()
    cli_rows = _read(tmp_path / "out" / "indicators.csv")
    assert len(cli_rows) == len(py)
    m = cli_rows.merge(py, on=["variant", "year", "zone", "group", "indicator"], suffixes=("_cli", "_py"))
    assert len(m) == len(cli_rows)
    same = (m["value_cli"] == m["value_py"]) | (m["value_cli"].isna() & m["value_py"].isna())
    assert same.all(), m[~same].head()


def test_population_equals_the_cli_binary(cli, default_results, tmp_path):
    out = tmp_path / "cli"
    subprocess.run([cli, "run", FIVE_YEAR, "--out", str(out), "--quiet", "--threads", "3"], check=True)
    c = _read(out / "population.csv")
    assert (c["population"].to_numpy() == default_results.population_frame()["population"].to_numpy()).all()


def test_frames_follow_the_arrays(default_results):
    r = default_results["higher-fertility"]
    pop = default_results.population_frame(["higher-fertility"])
    row = pop[(pop.year == 2035) & (pop.zone == r.zone_ids[3]) & (pop.group == "floating") & (pop.sex == "male")
              & (pop.age == 30)]
    assert row["population"].item() == r.population[3, 3, 1, 1, 6]
    totals = default_results.indicator_values("population", 2035, "higher-fertility")
    assert totals["total"] == pytest.approx(r.population[-1].sum(), rel=1e-12)
    comp = default_results.components_frame()
    assert set(comp["component"]) == {"births", "deaths", "net_migration"}
    assert set(comp["period"]) == {"2021-2025", "2026-2030", "2031-2035"}


def test_zones_frame_is_a_geodataframe(default_set, default_results):
    import geopandas

    gdf = default_results.zones_frame(2035)
    assert isinstance(gdf, geopandas.GeoDataFrame)
    assert list(gdf.index) == default_set.baseline.zone_ids
    assert gdf.crs is not None and gdf.geometry.notna().all()
    assert gdf["population"].sum() == pytest.approx(default_results["baseline"].population[-1].sum(), rel=1e-12)
    assert "tfr" in gdf.columns and gdf.attrs["year"] == 2035


def test_tfr_of_all_is_undefined_in_a_zone_without_women(cg):
    # A zone with no women gave TFR 0 for group 'all' (the empty sum of births over exposure) while each group kept
    # its schedule's TFR: 'all' is the women-weighted mean of the groups', undefined without women (NaN, as an empty
    # share); the groups' stay their schedules'.
    from toy_frames import toy_frames

    f = toy_frames(migration=False)
    base = f["base_population"]
    f["base_population"] = base[~((base["zone"] == "Z000") & (base["sex"] == "female"))]
    df = cg.scenario_from_frames(**f).run(threads=1).indicator_frame()
    tfr = df[(df["indicator"] == "tfr") & (df["year"] > 2020)].set_index(["year", "zone", "group"])["value"]
    assert tfr.xs(("Z000", "all"), level=("zone", "group")).isna().all()
    assert (tfr.xs(("Z000", "local"), level=("zone", "group")) == 1.6).all()
    assert tfr.xs(("Z001", "all"), level=("zone", "group")).between(1.5, 1.7).all()
    assert tfr.xs(("west", "all"), level=("zone", "group")).notna().all()  # an aggregate with women elsewhere
