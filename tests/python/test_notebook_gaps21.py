# SPDX-License-Identifier: Apache-2.0
"""What a notebook user still missed after round 20: estimate --group-split/--levels, a back-test of a ScenarioSet
changed in Python, maps for sets built from frames, opt-in indicators in ensembles, pickling the small classes."""
import copy
import json
import os
import pathlib
import pickle
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import FIVE_YEAR, ROOT

FIXTURES = ROOT / "tests" / "fixtures"
DATA = ROOT / "data"


def _cli(cli, *args, env=None):
    subprocess.run([cli, *map(str, args)], check=True, capture_output=True, env=env)


def test_estimate_group_split_is_the_command_line(cg, cli, tmp_path):
    census = DATA / "census" / "census2020_districts.csv"
    registry = DATA / "geo" / "beijing_registered2010_districts.csv"
    s = cg.estimate_group_split(str(census), str(tmp_path / "py"), registry=str(registry), zones="1101",
                                floating="other-district")
    assert len(s["zones"]) == 16 and "group_split.csv" in s["files"]
    _cli(cli, "estimate", "--group-split", census, "--registry", registry, "--zones", "1101", "--floating",
         "other-district", "--out", tmp_path / "cli")
    for name in ("group_split.csv", "group_split_report.md"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    # The default scope counts fewer residents as floating than other-district.
    wide = pd.read_csv(tmp_path / "py" / "group_split.csv")
    narrow = pd.read_csv(cg.estimate_group_split(census, tmp_path / "narrow", zones="1101")["out_dir"] +
                         "/group_split.csv")
    assert (narrow["floating"] <= wide["floating"]).all() and (narrow["floating"] < wide["floating"]).any()
    with pytest.raises(ValueError, match="floating: 'province'; expected 'other-province' or 'other-district'"):
        cg.estimate_group_split(census, tmp_path / "bad", floating="province")


def test_estimate_levels_is_the_command_line(cg, cli, tmp_path):
    lv = FIXTURES / "estimate"
    args = dict(population=str(lv / "levels_population.csv"), asfr=str(lv / "levels_asfr.csv"), srb=105,
                open_age=50)
    s = cg.estimate_levels(str(lv / "levels_figures.csv"), str(lv / "levels_mx.csv"), str(tmp_path / "py"), **args)
    levels = pd.DataFrame(s["levels"])
    assert list(levels["zone"]) == ["A", "A", "B", "B"]
    # B's births: k = 300 / 211 by hand (tests/fixtures/estimate/README.md).
    b = levels[(levels.zone == "B") & (levels.component == "fertility")].iloc[0]
    assert b["level"] == pytest.approx(300 / 211, rel=1e-12)
    _cli(cli, "estimate", "--levels", lv / "levels_figures.csv", "--population", args["population"], "--mx",
         lv / "levels_mx.csv", "--asfr", args["asfr"], "--srb", "105", "--open-age", "50", "--out", tmp_path / "cli")
    for name in ("levels.csv", "mx_by_zone.csv", "asfr_by_zone.csv", "levels_report.md"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    with pytest.raises(ValueError, match="srb"):  # a both-sexes e0 needs the sex ratio at birth (the CLI's message)
        cg.estimate_levels(str(lv / "levels_figures.csv"), str(lv / "levels_mx.csv"), str(tmp_path / "bad"),
                           population=args["population"], asfr=args["asfr"], open_age=50)


def test_estimate_levels_without_mx_as_the_command_line(cg, cli, tmp_path):
    # --mx is optional on the command line (only mortality figures need it); Python required mx.
    lv = FIXTURES / "estimate"
    fertility = tmp_path / "fertility.csv"
    fertility.write_text("zone,indicator,value\nA,tfr,1.5\nB,births,300\n", encoding="utf-8")
    args = dict(population=str(lv / "levels_population.csv"), asfr=str(lv / "levels_asfr.csv"), open_age=50)
    s = cg.estimate_levels(str(fertility), out_dir=str(tmp_path / "py"), **args)
    assert [z["component"] for z in s["levels"]] == ["fertility", "fertility"]
    _cli(cli, "estimate", "--levels", fertility, "--population", args["population"], "--asfr", args["asfr"],
         "--open-age", "50", "--out", tmp_path / "cli")
    for name in ("levels.csv", "asfr_by_zone.csv", "levels_report.md"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    with pytest.raises(ValueError, match="--mx: the standard death rates are required for mortality figures"):
        cg.estimate_levels(str(lv / "levels_figures.csv"), out_dir=str(tmp_path / "bad"), srb=105, **args)
    with pytest.raises(TypeError, match="out_dir is required"):
        cg.estimate_levels(str(fertility), **args)


def test_backtest_of_a_scenario_set(cg, cli, tmp_path):
    bt, good = FIXTURES / "backtest", str(FIXTURES / "scenarios" / "good.toml")
    args = dict(observed=str(bt / "observed_tiny.csv"), earlier=str(bt / "earlier_tiny.csv"), threads=1, report=False)
    from_file = cg.backtest(good, out_dir=str(tmp_path / "file"), data_dir=str(DATA), **args)
    sset = cg.load_scenario(good, data_dir=str(DATA))
    # Unchanged: the file's back-test, the same bytes (data_dir from load_scenario).
    same = cg.backtest(sset, out_dir=str(tmp_path / "same"), **args)
    for name in ("backtest.csv", "backtest_summary.csv", "population.csv"):
        assert (tmp_path / "same" / name).read_bytes() == (tmp_path / "file" / name).read_bytes(), name
    assert same["scores"] == from_file["scores"]
    note = json.loads((tmp_path / "same" / "manifest.json").read_text(encoding="utf-8"))["scenario"]["note"]
    assert "cohortgis.ScenarioSet" in note
    # Changed in Python: its own projection is scored; the benchmarks (from the launch year) stay.
    sset.baseline.set_tfr(3.0)
    changed = cg.backtest(sset, out_dir=str(tmp_path / "changed"), **args)
    scores = {f["forecast"]: f for f in changed["scores"]}
    before = {f["forecast"]: f for f in from_file["scores"]}
    assert scores["cohortgis"]["total_error_percent"] > before["cohortgis"]["total_error_percent"]
    assert scores["no-change"] == before["no-change"]
    with pytest.raises(TypeError, match="got a Scenario; pass the ScenarioSet"):
        cg.backtest(sset.baseline, out_dir=str(tmp_path / "x"), **args)


def test_backtest_of_a_set_without_a_file(cg, toy, tmp_path):
    # A set built from frames has no scenario file: app::backtest reads the host's set, not a file ("" was the
    # default scenario). Observed: each zone's projected 2030 total + 10 %, so the projection is 1/1.1 of it.
    res = toy.run(threads=1)
    totals = res.population_frame().query("year == 2030").groupby("zone")["population"].sum()
    pd.DataFrame({"year": 2030, "zone": totals.index, "group": "all", "sex": "all", "age": "all",
                  "population": totals.values * 1.1}).to_csv(tmp_path / "observed.csv", index=False)
    s = cg.backtest(toy, observed=str(tmp_path / "observed.csv"), out_dir=str(tmp_path / "bt"), threads=1,
                    report=False)
    scores = {f["forecast"]: f for f in s["scores"]}
    assert (s["launch_year"], s["observed_year"]) == (2020, 2030)
    assert scores["cohortgis"]["total_error_percent"] == pytest.approx(100 * (1 / 1.1 - 1), rel=1e-9)


def test_frames_with_geometry_write_maps(cg, tmp_path):
    from toy_frames import toy_frames

    frames = toy_frames()
    sset = cg.scenario_from_frames(**frames)
    s = cg.write_outputs(sset, str(tmp_path / "gdf"), threads=1)
    assert "results.gpkg" in s["files"] and any(f.startswith("maps/") for f in s["files"])
    # A file of boundaries instead of a GeoDataFrame: the same maps, and zones() for the notebook's own.
    gpkg = tmp_path / "zones.gpkg"
    frames["zones"].rename(columns={"id": "code"}).to_file(gpkg, layer="z", driver="GPKG")
    plain = pd.DataFrame(frames.pop("zones").drop(columns="geometry"))
    from_file = cg.scenario_from_frames(zones=plain, geometry=str(gpkg), geometry_layer="z", geometry_id_field="code",
                                        **frames)
    assert from_file.has_zones() and list(from_file.zones().index) == list(plain["id"])
    s = cg.write_outputs(from_file, str(tmp_path / "file"), threads=1)
    assert "results.gpkg" in s["files"] and any(f.startswith("maps/") for f in s["files"])
    with pytest.raises(ValueError, match="zones"):  # a zone missing from the file, as [geography.source] says
        cg.scenario_from_frames(zones=pd.concat([plain, pd.DataFrame({"id": ["Z999"], "name": ["x"]})]),
                                geometry=str(gpkg), geometry_layer="z", geometry_id_field="code", **frames)
    # Without geometry: no maps, as before.
    s = cg.write_outputs(cg.scenario_from_frames(zones=plain, **frames), str(tmp_path / "none"), threads=1)
    assert "results.gpkg" not in s["files"]


def test_ensemble_opt_in_indicators(cg, default_set, default_results):
    names = ["population", "age_80_plus", "child_dependency_ratio", "share_80_plus_percent", "age_15_17"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # no [stochastic]: every trajectory the deterministic run
        e = default_set.run(threads=2, trajectories=2, indicators=names, variants=["baseline"])
    assert e._parts[0]["indicators"] == names
    r = default_results["baseline"]
    pop = np.asarray(r.population)[1:].sum(axis=(2, 3))  # [year][zone][age], the steps' ends
    ages = np.asarray(r.age_starts)
    zones = list(r.zone_ids)
    by_age = {"age_80_plus": pop[:, :, ages >= 80].sum(axis=2),
              "child_dependency_ratio": 100 * pop[:, :, ages < 15].sum(axis=2) /
              pop[:, :, (ages >= 15) & (ages < 65)].sum(axis=2),
              "share_80_plus_percent": 100 * pop[:, :, ages >= 80].sum(axis=2) / pop.sum(axis=2)}
    for name, want in by_age.items():
        got = e.trajectories(name).sel(variant="baseline", zone=zones).values
        np.testing.assert_allclose(got[0], want, rtol=1e-10, err_msg=name)
        np.testing.assert_array_equal(got[0], got[1])
    # The band changes no other column: population as an ensemble's without it, bit for bit.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain = default_set.run(threads=2, trajectories=2, indicators=["population"], variants=["baseline"])
    np.testing.assert_array_equal(e.trajectories("population").values, plain.trajectories("population").values)
    assert {"age_80_plus", "age_15_17"} <= set(e.quantiles["indicator"])
    # cg.run takes ScenarioSet.run's arguments (trajectories=N was a TypeError there).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        again = cg.run(default_set, threads=2, trajectories=2, indicators=names, variants=["baseline"])
    np.testing.assert_array_equal(again.trajectories("age_80_plus").values, e.trajectories("age_80_plus").values)
    with pytest.raises(ValueError, match="'age_90_plus' is not an indicator of indicators.csv.*age_80_plus"):
        default_set.run(trajectories=2, indicators=["age_90_plus"])


def test_small_classes_pickle(cg):
    flow = cg.OdFlow(0, 1, 0.02, group=1)
    back = pickle.loads(pickle.dumps(flow))
    assert (back.origin, back.destination, back.rate_per_year, back.group) == (0, 1, 0.02, 1)
    t = cg.GroupTransition(0, 1, [0.01, 0.02], [1.0, 2.0])
    back = copy.deepcopy(pickle.loads(pickle.dumps(t)))
    assert (back.from_group, back.to_group, back.rate_per_year, back.zone_multiplier) == (0, 1, [0.01, 0.02],
                                                                                          [1.0, 2.0])
    rule = cg.NewbornRule(1, 0, 0.25)
    rule.zone_share = [0.1, 0.2]
    back = pickle.loads(pickle.dumps(rule))
    assert (back.mother_group, back.child_group, back.share, back.zone_share) == (1, 0, 0.25, [0.1, 0.2])
    s = cg.StepSchedules()
    s.asfr = [0.1, 0.2]
    with pytest.raises(TypeError, match=r"cannot pickle cohortgis.StepSchedules: .*StepSchedules.copy\(\)"):
        pickle.dumps(s)
    assert list(copy.deepcopy(s).asfr) == [0.1, 0.2] and list(copy.copy(s).asfr) == [0.1, 0.2]


def test_components_by_age_are_components_csv(cg, cli, default_set, tmp_path):
    chosen = ["baseline", "core-relocation"]
    res = default_set.run(threads=2, variants=chosen, components_by_age=True)
    _cli(cli, "run", FIVE_YEAR, "--out", tmp_path / "cli", "--threads", "2", "--no-report", "--quiet", "--format",
         "both")
    csv = pd.read_csv(tmp_path / "cli" / "components.csv", dtype={"zone": str, "period": str})
    frame = res.components_frame(by_age=True)
    assert list(frame.columns) == ["variant", "period", "zone", "group", "sex", "age", "component", "persons"]
    assert str(frame["age"].dtype) == "Int64" and frame["persons"].dtype == np.float64
    csv = csv[csv["variant"].isin(chosen) & csv["component"].isin(frame["component"].unique())].copy()
    csv["age"] = csv["age"].astype("Int64")
    key = ["variant", "period", "zone", "group", "sex", "age", "component"]
    merged = csv.merge(frame, on=key, how="outer", suffixes=("_csv", "_py"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    np.testing.assert_allclose(merged["persons_py"], merged["persons_csv"], rtol=1e-9, atol=1e-9)
    # Summed over age: the run's per-state sums (deaths), as components_frame() without ages gives them.
    r = res["baseline"]
    np.testing.assert_allclose(np.asarray(r.components_by_age["deaths"]).sum(axis=4), r.deaths, rtol=1e-12)
    moves = r.components_by_age
    np.testing.assert_allclose(np.asarray(moves["net_migration"] + moves["transfer_in"] - moves["transfer_out"])
                               .sum(axis=4), r.net_migration, rtol=1e-9, atol=1e-6)
    # Kept by pickle; a run without them says how to get them.
    again = pickle.loads(pickle.dumps(r))
    np.testing.assert_array_equal(again.components_by_age["deaths"], r.components_by_age["deaths"])
    assert default_set.run(threads=1, variants=["baseline"])["baseline"].components_by_age is None
    with pytest.raises(ValueError, match=r"run it with run\(components_by_age=True\)"):
        default_set.run(threads=1, variants=["baseline"]).components_frame(by_age=True)
    # to_xarray: results.nc's components by age, the same names, attributes and numbers.
    xr = pytest.importorskip("xarray")
    ds = res.to_xarray()
    with xr.open_dataset(tmp_path / "cli" / "results.nc") as nc:
        for name in ("deaths", "net_migration", "transfer_in", "transfer_out", "floor_adjustment"):
            want = nc[name].sel(variant=chosen)
            assert ds[name].dims == want.dims and ds[name].attrs == want.attrs, name
            np.testing.assert_allclose(ds[name].values, want.values, rtol=1e-9, atol=1e-9, equal_nan=True,
                                       err_msg=name)
    # A run without them among the variants: the sums over age for all, as before.
    mixed = cg.Results({"baseline": r, "plain": default_set.run(threads=1, variants=["baseline"])["baseline"]})
    assert mixed.to_xarray()["deaths"].attrs["cell_methods"] == "age: sum"
