# SPDX-License-Identifier: Apache-2.0
"""What a notebook user missed (round 20): to_xarray in results.nc's layout, write_outputs of a ScenarioSet changed
in Python, StepSchedules.external_pairs, pickling, estimate and backtest."""
import json
import os
import pathlib
import pickle
import subprocess

import numpy as np
import pytest

from conftest import FIVE_YEAR

xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def cli_netcdf(cli, tmp_path_factory):
    """The command line's results of the five-year example, results.nc and the CSVs (format both), no report."""
    out = tmp_path_factory.mktemp("cli") / "out"
    subprocess.run([cli, "run", FIVE_YEAR, "--out", str(out), "--threads", "2", "--format", "both", "--no-report"],
                   check=True, capture_output=True)
    return out


def test_to_xarray_is_results_nc(cli_netcdf, default_results):
    ds = default_results.to_xarray()
    with xr.open_dataset(cli_netcdf / "results.nc") as nc:
        # Names, dimensions, coordinates and attributes as the file; population and indicators bit for bit.
        for name in ("population", "indicators", "zone_name", "zone_name_en", "births"):
            xr.testing.assert_identical(ds[name], nc[name])
        assert set(ds.coords) == set(nc.coords) and ds.dims == nc.dims
        # The components a run keeps are sums over age, said by CF's cell_methods.
        assert ds["deaths"].attrs["cell_methods"] == "age: sum"
        np.testing.assert_allclose(ds["deaths"], nc["deaths"].sum("age", skipna=False), rtol=1e-12)
        moves = (nc["net_migration"] + nc["transfer_in"] - nc["transfer_out"]).sum("age", skipna=False)
        np.testing.assert_allclose(ds["net_migration_and_transfers"], moves, rtol=1e-12, atol=1e-6)
        assert "net_migration" not in ds  # not results.nc's (that one leaves moves between groups out)
    # One run: results.nc's layout without the variant dimension, over the run's own buffer (no copy).
    r = default_results["higher-fertility"]
    one = r.to_xarray()
    assert one["variant"].item() == "higher-fertility" and "variant" not in one.dims
    assert np.shares_memory(one["population"].values, r.population)
    xr.testing.assert_identical(one["population"], ds["population"].sel(variant="higher-fertility"))
    sub = default_results.to_xarray(variants=["core-relocation", "baseline"])
    assert list(sub["variant"].values) == ["core-relocation", "baseline"]


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _manifest(folder):
    """manifest.json without what differs from run to run (times, threads used, its own hashes)."""
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for key in ("started_at_utc", "timings", "files", "seal", "threads", "threads_requested"):
        m.pop(key, None)
    return m


def test_write_outputs_of_a_set_is_the_command_line(cg, cli_netcdf, tmp_path):
    # An unchanged set loaded in Python writes the command line's files (the same app::run on the loaded runs).
    sset = cg.load_scenario(FIVE_YEAR)
    summary = cg.write_outputs(sset, str(tmp_path / "py"), threads=2, format="both")
    py = tmp_path / "py"
    # The report (gpkg, xlsx, maps) too: here the CSVs and results.nc against --no-report's, the rest is listed.
    assert {"results.gpkg", "report.html", "results.xlsx"} <= set(summary["files"])
    for name in _files(cli_netcdf):
        if name != "manifest.json":
            assert (py / name).read_bytes() == (cli_netcdf / name).read_bytes(), name
    m = _manifest(py)
    assert m["scenario"].pop("note").startswith("projected from a cohortgis.ScenarioSet by write_outputs")
    cli_m = _manifest(cli_netcdf)
    assert m["scenario"] == cli_m["scenario"] and m["inputs"] == cli_m["inputs"]


def test_write_outputs_of_a_changed_set(cg, default_results, tmp_path):
    # The runs as changed in Python: the baseline in place (the loaded set's own run), a variant added (a copy).
    sset = cg.load_scenario(FIVE_YEAR)
    low = sset.add_variant("low", description="TFR 0.8")
    low.set_tfr(0.8)
    sset.baseline.set_tfr(1.0)
    res = sset.run(threads=2, variants=["baseline", "low"])
    assert not np.array_equal(res["baseline"].population, default_results["baseline"].population)
    cg.write_outputs(sset, str(tmp_path / "out"), threads=2, format="netcdf", components="none")
    with xr.open_dataset(tmp_path / "out" / "results.nc") as nc:
        assert list(nc["variant"].values) == ["baseline", "higher-fertility", "core-relocation", "low"]
        for v in ("baseline", "low"):
            assert nc["population"].sel(variant=v).values.tobytes() == res[v].population.tobytes(), v
    # A variant's description, as a file's variant's.
    m = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert m["scenario"]["variant_descriptions"][-1] == "TFR 0.8"


def test_write_outputs_refuses_what_a_file_cannot_hold(cg, toy, tmp_path):
    other = toy.add_variant("other")
    other.steps = 2  # a variant of another length: every writer lays runs out by the baseline's years
    with pytest.raises(ValueError, match="variant 'other': its zones, groups, age grid or years differ"):
        cg.write_outputs(toy, str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
    with pytest.raises(TypeError, match="pass the ScenarioSet it belongs to"):
        cg.write_outputs(toy.baseline, str(tmp_path / "out"))


def test_write_outputs_of_a_frames_set(cg, toy, tmp_path):
    # A set built from frames: its own runs; no zone source file, so a report without maps.
    res = toy.run()
    summary = cg.write_outputs(toy, str(tmp_path / "out"), threads=1, format="csv")
    import pandas as pd
    csv = pd.read_csv(tmp_path / "out" / "population.csv", float_precision="round_trip")
    assert np.array_equal(csv["population"].to_numpy(), res.population_frame()["population"].to_numpy())
    assert "population.csv" in summary["files"]


def _paired(toy, paired):
    """The toy baseline under conserve, 3 times zone 0's first cell leaving it each step, 60 % of them for zone 1."""
    sc = toy.baseline.copy()
    sc.flow_policy = "conserve"
    cells = sc.base_population.size
    zone_cells = cells // len(sc.zone_ids)
    src, dst = 0, zone_cells  # zone 0 and zone 1, the same group, sex and age
    for k in range(sc.steps):
        s = sc.step_schedules(k)
        out, into = np.zeros(cells), np.zeros(cells)
        out[src] = 3.0 * sc.base_population.reshape(-1)[src]
        into[dst] = 0.6 * out[src]
        s.external_out, s.external_in = out, into
        if paired:
            s.external_pairs = [(src, dst, into[dst])]
        sc.set_step_schedules(k, s)
    return sc


def test_external_pairs_arrive_scaled_under_conserve(cg, toy):
    # As a scenario file's OD counts: under conserve the origin's cell is scaled, and a pair arrives scaled as it
    # left; unpaired, the count arrives whole (persons out of nothing).
    paired, alone = cg.run(_paired(toy, True)), cg.run(_paired(toy, False))
    s = _paired(toy, True).step_schedules(0)
    assert s.external_pairs == [(0, len(s.external_out) // 4, s.external_in[len(s.external_out) // 4])]
    assert "external_pairs 1" in repr(s)
    zone1_paired = paired["baseline"].population[1, 1].sum()
    zone1_alone = alone["baseline"].population[1, 1].sum()
    assert zone1_paired < zone1_alone - 100
    # Zone 0 is the same either way (its cell is scaled all the same).
    assert np.array_equal(paired["baseline"].population[:, 0], alone["baseline"].population[:, 0])


def test_external_pairs_are_checked(cg, toy):
    # Named as the other cell checks (round 27): the step, the cell's zone, group, sex and age, the pair's row and
    # what was expected; it said "external pair (0, 72, 1e+12): expected cells below 288 and persons from 0 to …".
    sc = _paired(toy, True)
    s = sc.step_schedules(0)
    cells = len(s.external_out)
    out, into = s.external_out[0], s.external_in[cells // 4]
    first = "^year 2020–2025, zone 'Z000', group 'local', sex female, age 0: external_pairs row 1 "
    for bad, match in [
            ([(cells, 0, 1.0)], rf"^year 2020–2025: external_pairs row 0, from_cell {cells}: expected a cell index "
                                rf"below {cells} \(zones × groups × 2 sexes × ages\)$"),
            # (Negative persons and more than 1e9 are refused when assigned since round 29: test_backlog29.py.)
            ([(0, cells // 4, 1.0), (0, cells // 4, 2 * out)],
             first + rf"\(from_cell 0, to_cell {cells // 4}\), persons .*; expected at most the from cell's "
                     rf"external out-migrants {out:g}$"),
            ([(0, cells // 4, (out + into) / 2)],  # within the origin's out-migrants, above the destination's in
             rf"^year 2020–2025, zone 'Z001', group 'local', sex female, age 0: external_pairs row 0 \(from_cell 0, "
             rf"to_cell {cells // 4}\), persons .*; expected at most the to cell's external in-migrants {into:g}$")]:
        s.external_pairs = bad
        sc.set_step_schedules(0, s)
        with pytest.raises(ValueError, match=match):
            cg.run(sc)


def test_run_result_pickles(default_results):
    r = default_results["baseline"]
    back = pickle.loads(pickle.dumps(r))
    for name in ("population", "indicators", "births", "deaths", "net_migration"):
        assert getattr(back, name).tobytes() == getattr(r, name).tobytes(), name
    for name in ("scenario", "variant", "title", "years", "zone_ids", "zone_names", "zone_names_en", "group_names",
                 "unit_names", "group_slots", "indicator_names", "age_starts", "step_years", "parity_indicator_names"):
        assert getattr(back, name) == getattr(r, name), name
    assert back.parity_shares is None and back.parity_indicators is None
    xr.testing.assert_identical(back.to_xarray(), r.to_xarray())
    # A damaged or hand-made state is refused, never read past a buffer.
    rebuild, (state,) = r.__reduce__()
    state["population"] = state["population"][:-8]
    with pytest.raises(ValueError, match="RunResult pickle: population holds"):
        rebuild(state)
    assert not hasattr(r, "__setstate__")  # no way to replace a live result's buffers under its views


def test_what_does_not_pickle_says_why(cg, default_set, default_results):
    with pytest.raises(TypeError, match=r"cannot pickle cohortgis.Scenario .*load_scenario it there"):
        pickle.dumps(default_set.baseline)
    with pytest.raises(TypeError, match=r"cannot pickle cohortgis.ScenarioSet: .*pickle.dumps\(dict\(res\)\)"):
        pickle.dumps(default_set)
    with pytest.raises(TypeError, match=r"cannot pickle cohortgis.Results: .*cohortgis.Results\(runs\)"):
        pickle.dumps(default_results)
    runs = pickle.loads(pickle.dumps(dict(default_results)))
    again = cg.Results(runs)
    assert again.population_frame().equals(default_results.population_frame())
    # copy.copy and copy.deepcopy still copy a Scenario, a ScenarioSet and a Results (their own methods, not
    # pickle's refusal: hostile_python3's 'copy.copy results then use' and 'deepcopy set then run').
    import copy
    assert copy.deepcopy(default_set.baseline).variant == "baseline"
    shallow = copy.copy(default_results)
    assert shallow is not default_results
    assert np.array_equal(np.asarray(shallow.population()), np.asarray(default_results.population()))
    deep_set = copy.deepcopy(default_set)
    assert deep_set is not default_set and deep_set.baseline is not default_set.baseline
    again = deep_set.run(threads=1)
    assert np.array_equal(np.asarray(again.population()), np.asarray(default_results.population()))
    assert copy.deepcopy(default_results).population_frame().equals(default_results.population_frame())


FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


def test_estimate_is_the_command_line(cg, cli, tmp_path):
    # Totals through a crosswalk that splits U1 60/40: A 600 → 720, B 900 → 1080 over ten years (tests/app).
    est = FIXTURES / "estimate"
    s = cg.estimate(str(est / "first_totals.csv"), str(est / "second_totals.csv"), (2000, 2010),
                    str(tmp_path / "py"), first_crosswalk=str(est / "crosswalk_split.csv"),
                    second_crosswalk=str(est / "crosswalk_split.csv"))
    assert s["method"] == "totals" and s["zones"] == ["A", "B"]
    assert np.allclose(s["net_per_year"], [12.0, 18.0])
    subprocess.run([cli, "estimate", "--first", str(est / "first_totals.csv"), "--second",
                    str(est / "second_totals.csv"), "--years", "2000:2010", "--first-crosswalk",
                    str(est / "crosswalk_split.csv"), "--second-crosswalk", str(est / "crosswalk_split.csv"),
                    "--out", str(tmp_path / "cli")], check=True, capture_output=True)
    for name in ("net_migration.csv", "estimate_report.md"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    with pytest.raises(TypeError, match="years: expected"):
        cg.estimate("a.csv", "b.csv", "2000:2010", str(tmp_path / "x"))


def test_backtest_is_the_command_line(cg, cli, tmp_path):
    bt, data = FIXTURES / "backtest", str(pathlib.Path(FIVE_YEAR).parents[3] / "data")
    args = dict(observed=str(bt / "observed_tiny.csv"), earlier=str(bt / "earlier_tiny.csv"), threads=1,
                data_dir=data, report=False)
    s = cg.backtest(str(FIXTURES / "scenarios" / "good.toml"), out_dir=str(tmp_path / "py"), **args)
    assert (s["launch_year"], s["observed_year"]) == (2020, 2030)
    scores = {f["forecast"]: f for f in s["scores"]}
    # no-change: 10,000 each → A −16.67 %, B +11.11 % (tests/app/test_backtest.cpp by hand).
    assert scores["no-change"]["mape_percent"] == pytest.approx((100 * 2000 / 12000 + 100 * 1000 / 9000) / 2)
    assert scores["linear"]["mape_percent"] == pytest.approx(0.0, abs=1e-9)
    subprocess.run([cli, "backtest", str(FIXTURES / "scenarios" / "good.toml"), "--observed", args["observed"],
                    "--earlier", args["earlier"], "--out", str(tmp_path / "cli"), "--threads", "1", "--no-report",
                    "--quiet"], check=True, capture_output=True, env={**os.environ, "COHORTGIS_DATA_DIR": data})
    for name in ("backtest.csv", "backtest_summary.csv", "population.csv"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    # A ScenarioSet (changed in Python or not) is back-tested too: test_notebook_gaps21.py.


def test_to_xarray_of_a_parity_run(cg, tmp_path):
    # results.nc's women_by_parity (the women of each cell times its parity shares), bit for bit.
    parity = str(pathlib.Path(FIVE_YEAR).parents[3] / "tests" / "fixtures" / "scenarios" / "parity" / "scenario.toml")
    res = cg.load_scenario(parity).run(threads=1)
    ds = res.to_xarray()
    cg.write_outputs(parity, str(tmp_path / "out"), threads=1, format="netcdf")
    with xr.open_dataset(tmp_path / "out" / "results.nc") as nc:
        for name in ("population", "women_by_parity", "indicators"):
            xr.testing.assert_identical(ds[name], nc[name])
    # A variant without parity beside one with: NaN there, as results.nc (a run's pickled state without parity).
    rebuild, (state,) = res["three_child"].__reduce__()
    state.update(variant="plain", parity_indicator_names=[], parity_shares=b"", parity_indicators=b"")
    mixed = cg.Results({"plain": rebuild(state), "baseline": res["baseline"]}).to_xarray()
    assert np.isnan(mixed["women_by_parity"].sel(variant="plain")).all()
    xr.testing.assert_identical(mixed["women_by_parity"].sel(variant="baseline"),
                                ds["women_by_parity"].sel(variant="baseline"))
