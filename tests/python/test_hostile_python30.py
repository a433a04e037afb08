# SPDX-License-Identifier: Apache-2.0
"""What the round-30 Python probe (tests/probe/hostile_python12.py) found: Scenario.set_zones kept the aggregates by
zone index (fewer zones made the aggregates getter fail with "vector::_M_range_check", another order or other ids summed
other zones into an aggregate, silently); run(trajectories=N, indicators=[]) ran the default indicators where the frames
refuse none given, and a NumPy array or pandas Series of names raised "The truth value of an array … is ambiguous";
write_outputs' format and backtest's language holding a lone surrogate reached pybind11's "incompatible function
arguments" listing; a pyramid of an aggregate read the set's aggregates as they were when drawn, not as the runs had
them (changed after the run: other zones drawn; dropped: refused); the compiled functions called directly with an int,
None or a float where text, an int or a number goes answered with pybind11's listing, naming no argument."""
import pathlib

import numpy as np
import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")
STO = str(FIX / "stochastic.toml")
C = cg._cohortgis
SERIES = [("a", [1.0, 2.0], [1.0, 3.0])]


def frames_set():
    """The two-group (local, migrant) scenario of two zones Z000, Z001, aggregate west = Z000, with geometry."""
    return cg.scenario_from_frames(**toy_frames(zones=2, migration=False))


# ---- 1. set_zones carries the aggregates by zone id ------------------------------------------------------------------
def test_set_zones_carries_the_aggregates_by_zone_id():
    sc = frames_set().baseline
    sc.aggregates = [("w", ["Z001"])]
    with pytest.raises(ValueError, match="zones: aggregate 'w' lists zone 'Z001', which the new ids lack"):
        sc.set_zones(["Z000"])  # the getter then said "vector::_M_range_check"
    assert sc.zone_ids == ["Z000", "Z001"] and sc.aggregates == [("w", ["Z001"])]  # nothing changed
    with pytest.raises(ValueError, match="aggregate 'w' lists zone 'Z001'"):
        sc.set_zones(["X", "Y"])  # w was zone X, silently
    sc.aggregates = [("w", ["Z000"])]
    base = sc.base_population
    sc.set_zones(["Z001", "Z000"])  # w was Z001, silently
    assert sc.aggregates == [("w", ["Z000"])]
    sc.base_population = base[::-1].copy()
    r = cg.run(sc, threads=1)["baseline"]
    units = list(r.unit_names)
    assert np.array_equal(r.indicators[:, units.index("w")], r.indicators[:, units.index("Z000")], equal_nan=True)
    sc.aggregates = []
    sc.set_zones(["Z000"])  # without aggregates any zones go
    assert sc.zone_ids == ["Z000"]


# ---- 2. the ensemble's indicators: none given, NumPy and pandas lists ------------------------------------------------
def test_ensemble_indicators_none_given_is_refused_and_arrays_are_lists():
    s = cg.load_scenario(STO)
    for empty in ([], ()):
        with pytest.raises(ValueError, match="indicators: none given"):  # the default indicators ran
            s.run(threads=1, trajectories=2, indicators=empty)
    for names in (np.array(["births", "deaths"]), pd.Series(["births", "deaths"])):  # "truth value … ambiguous"
        e = s.run(threads=1, trajectories=2, indicators=names)
        assert e.trajectories("deaths").shape[1] == 2


# ---- 3. text the jobs take: a lone surrogate named -------------------------------------------------------------------
def test_format_and_language_that_are_not_utf8_are_named(tmp_path):
    with pytest.raises(ValueError, match="format: .* is not UTF-8 text"):  # pybind11's listing
        cg.write_outputs(GOOD, str(tmp_path / "w"), threads=1, format="\udcff")
    with pytest.raises(ValueError, match="format: .* holds a NUL character"):
        cg.write_outputs(GOOD, str(tmp_path / "w"), threads=1, format="csv\0x")
    with pytest.raises(ValueError, match="language: .* is not UTF-8 text"):
        cg.backtest(GOOD, str(tmp_path / "obs.csv"), str(tmp_path / "b"), threads=1, language="\udcff")
    assert not (tmp_path / "w").exists() and not (tmp_path / "b").exists()


# ---- 4. a pyramid draws an aggregate as the runs had it --------------------------------------------------------------
def test_pyramid_draws_the_aggregates_the_runs_had(monkeypatch):
    s = frames_set()
    res = s.run(threads=1)
    drawn = []
    monkeypatch.setattr(cg._frames._plot, "pyramid", lambda st, ol, *a, **k: drawn.append(st))
    s.baseline.aggregates = [("west", ["Z001"])]  # changed after the run: Z001 was drawn as west
    res.pyramid("west")
    assert drawn[-1][0][1] == list(res.population()[-1, 0, 0, 0])
    s.baseline.aggregates = []  # dropped after the run: "zone 'west': not a zone or aggregate"
    res.pyramid("west")
    assert len(drawn) == 2
    s.baseline.aggregates = [("west", ["Z000"]), ("east", ["Z001"])]
    with pytest.raises(ValueError, match="zone 'east': not a zone or aggregate of the results"):
        res.pyramid("east")  # not one the runs report


# ---- 5. the compiled functions name an argument of another type ------------------------------------------------------
def test_compiled_functions_name_an_argument_of_another_type(tmp_path):
    toy = frames_set().baseline
    out = str(tmp_path / "out")
    run = cg.run(toy, threads=1)["baseline"]
    calls = [
        (lambda: C.load_scenario_file(5), "scenario: expected a str, got int"),
        (lambda: C.load_scenario_file(GOOD, None), "data_dir: expected a str, got NoneType"),
        (lambda: C.load_scenario_file(GOOD, "", [], [], 1.5), r"threads: 1\.5 \(float\) is not an int"),
        (lambda: C.load_scenario_text(5, "x", "", {}), "text: expected a str"),
        (lambda: C.resolve_data_dir(5), "configured: expected a str"),
        (lambda: C.run(5), "scenario: expected a cohortgis.Scenario, got int"),
        (lambda: C.run(toy, 1.5), r"threads: 1\.5 \(float\) is not an int"),
        (lambda: C.app_run(GOOD, out, "1"), r"threads: '1' \(str\) is not an int"),
        (lambda: C.app_run(GOOD, out, 1, format=5), "format: expected a str"),
        (lambda: C.app_run_set(None, [toy], 5), "note: expected a str"),
        (lambda: C.app_estimate(5, GOOD, 2000, 2010, out), "first: expected a str"),
        (lambda: C.app_estimate(GOOD, GOOD, "2000", 2010, out), "first_year: '2000' \\(str\\) is not an int"),
        (lambda: C.app_estimate(GOOD, GOOD, 2000, 2010, out, female_share="x"), "female_share: 'x' .* not a real"),
        (lambda: C.app_estimate_group_split(GOOD, out, zone_prefix=5), "zone_prefix: expected a str"),
        (lambda: C.app_estimate_levels(GOOD, "", out, srb="105"), "srb: '105' .* not a real number"),
        (lambda: C.app_backtest(GOOD, GOOD, language=5), "language: expected a str"),
        (lambda: C.run_ensemble([toy], 5, "", 2, 1, 1, []), "file: expected a str"),
        (lambda: C.render_lines(SERIES, title=5), "title: expected a str"),
        (lambda: C.render_lines(SERIES, width_px="900"), "width_px: '900' .* is not an int"),
        (lambda: C.render_pyramid([("a", [1.0], [1.0])], age_labels=["0+"], axis_divisor="2"), "axis_divisor"),
        (lambda: C.render_choropleth(["a"], ["POLYGON((0 0,1 0,1 1,0 0))"], None, [1.0]), "crs: expected a str"),
        (lambda: C.zone_geometry(5, ["A"]), "scenario_set: expected the compiled ScenarioSet"),
        (lambda: run._buffer_address(5), "name: expected a str"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message) as raised:  # pybind11's "incompatible function arguments"
            call()
        assert "incompatible" not in str(raised.value)
    with pytest.raises(ValueError, match="language: .* is not UTF-8 text"):
        C.app_backtest(GOOD, GOOD, language="\udcff")
    assert not (tmp_path / "out").exists()


# ---- 6. NumPy's bool_ is no number in the compiled classes -----------------------------------------------------------
def test_numpy_bool_is_no_number_in_the_compiled_classes():
    sc = frames_set().baseline
    with pytest.raises(TypeError, match=r"share: True \(bool_\) is not a real number"):
        cg.NewbornRule(0, 1, np.True_)  # a share of 1.0
    with pytest.raises(TypeError, match=r"rate_per_year: False \(bool_\) is not a real number"):
        cg.OdFlow(0, 1, np.False_)
    with pytest.raises(TypeError, match=r"from_group: True \(bool_\) is not an int"):
        cg.GroupTransition(np.True_, 0, [0.1])  # group 1 (NumPy's deprecated __index__)
    with pytest.raises(TypeError, match=r"step: True \(bool_\) is not an int"):
        sc.step_schedules(np.True_)  # step 1
    assert cg.NewbornRule(0, 1, np.float64(0.5)).share == 0.5 and sc.step_schedules(np.int64(1)) is not None


# ---- 7. scenario_from_frames names an aggregate without zones --------------------------------------------------------
def test_frames_name_an_aggregate_without_zones():
    d = toy_frames(zones=2, migration=False)
    d["aggregates"] = {"west": ["Z000"], "w": []}
    with pytest.raises(ValueError, match="aggregates: 'w': no zone ids"):  # "aggregates: an empty list"
        cg.scenario_from_frames(**d)


# ---- 8. a GeoDataFrame's temporary GeoPackage goes with its set ---------------------------------------------------------
def test_frames_geopackage_goes_with_its_set():
    import gc
    import os

    s = frames_set()
    folder = os.path.dirname(s._loaded.zones_source_path)
    assert os.path.isfile(os.path.join(folder, "zones.gpkg"))
    run = s.baseline  # a run keeps the C++ set, and so the file, alive
    del s
    gc.collect()
    assert os.path.isdir(folder)
    del run
    gc.collect()
    assert not os.path.exists(folder)  # it stayed until exit: a process leaving by os._exit (a forked worker) left it
