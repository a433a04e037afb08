# SPDX-License-Identifier: Apache-2.0
"""What the round-29 Python probe (tests/probe/hostile_python11.py) found: the compiled functions of _cohortgis.pyi
called directly with a list subclass whose __len__ lies (validate_runs, render_lines, render_pyramid,
render_choropleth, load_scenario_file, load_scenario_text, run_ensemble, app_run, app_run_set, app_estimate,
app_estimate_levels, app_backtest, zone_geometry) said "vector::reserve" or "std::bad_alloc" (2^62, 2^40) or read a
list saying 0 as empty (a chart of no series, "no runs"), and a wrong item was pybind11's "incompatible function
arguments" listing or "Unable to cast"; render_choropleth drew 100 classes and took legend_decimals=-3;
Scenario.language unknown to the report was refused only by write_outputs; run(trajectories=N) projected every
deterministic run before refusing a misspelt indicator, trajectories=0 or seed=-1; variants=[] gave every run to the
frames and to_xarray, and every variant to backtest, where ScenarioSet.run(variants=[]) refuses it, as zones_frame
took indicators=[] for all; a pyramid's compare_year=2020.0 was labelled "total 2020.0"; Figure(title=5) was kept."""
import math
import pathlib

import numpy as np
import pytest

import cohortgis as cg
from test_hostile_python28 import HugeLie, LongLie, ShortLie  # lists whose len() lies
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")
STO = str(FIX / "stochastic.toml")
C = cg._cohortgis
SERIES = [("a", [1.0, 2.0], [1.0, 3.0])]
SQUARES = ["POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,2 0,2 1,1 1,1 0))"]


@pytest.fixture(scope="module")
def toy():
    """A two-group scenario (local, migrant) of two zones."""
    return cg.scenario_from_frames(**toy_frames(zones=2, migration=False)).baseline


def is_png(image):
    return isinstance(image, bytes) and image[:4] == b"\x89PNG"


# ---- 1. the compiled functions read list arguments by their items ---------------------------------------------------
def test_validate_runs_reads_a_lying_list_by_its_items(toy):
    C.validate_runs(LongLie([toy]))  # "vector::reserve"
    with pytest.raises(ValueError, match="no zones"):
        C.validate_runs(HugeLie([cg.Scenario()]))  # "std::bad_alloc"
    with pytest.raises(ValueError, match="runs: iterating it gives more than the 0 items"):
        C.validate_runs(ShortLie([toy]))  # "scenario set: no runs"
    with pytest.raises(TypeError, match="runs: row 0: a int that does not convert; expected a cohortgis.Scenario"):
        C.validate_runs([5])  # pybind11's listing


def test_charts_read_their_series_by_items():
    assert is_png(C.render_lines(LongLie(SERIES)))  # "vector::reserve"
    assert is_png(C.render_lines([("a", HugeLie([1.0, 2.0]), [1.0, 3.0])]))
    with pytest.raises(ValueError, match="series: iterating it gives more than the 0 items"):
        C.render_lines(ShortLie(SERIES))  # "chart: no finite values to draw"
    with pytest.raises(ValueError, match="series 0, y: iterating"):
        C.render_lines([("a", [1.0, 2.0], ShortLie([1.0, 3.0]))])
    with pytest.raises(ValueError, match=r"series 0: 2 items; expected \(name, x, y\)"):
        C.render_lines([("a", [1.0, 2.0])])
    with pytest.raises(TypeError, match="series 0, x 1: None"):
        C.render_lines([("a", [1.0, None], [1.0, 3.0])])
    with pytest.raises(TypeError, match="series 0, name: expected a str"):
        C.render_lines([(5, [1.0, 2.0], [1.0, 3.0])])
    assert is_png(C.render_lines([("a", np.arange(3.0), np.arange(3))]))
    pyramid = [("a", [1.0, 2.0], [2.0, 1.0])]
    assert is_png(C.render_pyramid(LongLie(pyramid), age_labels=HugeLie(["0", "5+"])))
    with pytest.raises(ValueError, match="outline: iterating"):
        C.render_pyramid(pyramid, ShortLie(pyramid), age_labels=["0", "5+"])
    with pytest.raises(TypeError, match="stacked 0, male 1"):
        C.render_pyramid([("a", [1.0, 2.0], [2.0, "1"])], age_labels=["0", "5+"])


def test_choropleth_reads_lists_by_items_and_keeps_the_command_lines_ranges():
    def choropleth(**kw):
        args = dict(ids=["a", "b"], wkt=SQUARES, crs="EPSG:4326", values=[1.0, 2.0])
        args.update(kw)
        return C.render_choropleth(**args)[0]

    assert is_png(choropleth(ids=LongLie(["a", "b"]), wkt=HugeLie(SQUARES), labels=LongLie(["A", "B"])))
    with pytest.raises(ValueError, match="values: iterating"):
        choropleth(values=ShortLie([1.0, 2.0]))  # "map of zones: 0 values for 2 zones"
    with pytest.raises(TypeError, match="values 0: None"):
        choropleth(values=[None, 2.0])
    # As docs/python-maps.md says (1 to 9) and Results.map's legend_decimals (0 to 20): both were drawn as given.
    with pytest.raises(ValueError, match="classes: 100 is out of range; expected an int from 1 to 9"):
        choropleth(classes=100)
    with pytest.raises(ValueError, match="legend_decimals: -3 is out of range; expected an int from 0 to 20"):
        choropleth(legend_decimals=-3)
    with pytest.raises(TypeError, match=r"classes: 5\.0 \(float\) is not an int"):
        choropleth(classes=5.0)
    assert is_png(choropleth(classes=np.int64(9), legend_decimals=20))


def test_loaders_and_jobs_read_lists_by_items(toy, tmp_path):
    fix = str(FIX)
    assert C.load_scenario_file(GOOD, "", LongLie([fix]), HugeLie([])).runs[0].variant == "baseline"
    with pytest.raises(ValueError, match="allow_read: iterating"):
        C.load_scenario_file(GOOD, "", ShortLie([fix]))
    with pytest.raises(TypeError, match="allow_read 0: expected a str, got bytes"):
        C.load_scenario_file(GOOD, "", [b"/tmp"])
    with pytest.raises(ValueError, match=r"tables\['t'\], column: iterating"):  # read by items since round 30
        C.load_scenario_text("", "x", "", {"t": (ShortLie(["a"]), [["1"]])})
    with pytest.raises(ValueError, match="indicators: 'nope' is not an indicator"):
        C.run_ensemble([toy], "", "", 2, 1, 1, LongLie(["nope"]))
    with pytest.raises(ValueError, match="runs: iterating"):
        C.run_ensemble(ShortLie([toy]), "", "", 2, 1, 1, [])
    with pytest.raises(ValueError, match="components: iterating"):
        C.app_run(GOOD, str(tmp_path / "a"), 1, "", [], [], "csv", False, ShortLie(["births"]))
    with pytest.raises(ValueError, match="none.toml"):  # "std::bad_alloc"
        C.app_run(str(tmp_path / "none.toml"), str(tmp_path / "b"), 1, "", HugeLie([fix]))
    with pytest.raises(TypeError, match="write_outputs: run 0: expected a cohortgis.Scenario, got int"):
        C.app_run_set(None, [5], "n", str(tmp_path / "c"), 1)  # "Unable to cast Python instance to C++ type"
    with pytest.raises(TypeError, match="write_outputs: loaded: expected"):
        C.app_run_set(5, [toy], "n", str(tmp_path / "d"), 1)
    with pytest.raises(ValueError, match="write_outputs: runs: iterating"):
        C.app_run_set(None, ShortLie([toy]), "n", str(tmp_path / "e"), 1)
    census = str(tmp_path / "none.csv")
    with pytest.raises(ValueError, match="mx_filter: iterating"):
        C.app_estimate(census, census, 2000, 2010, str(tmp_path / "f"), mx_filter=ShortLie([("sex", "all")]))
    with pytest.raises(ValueError, match="mx_filter 0: 3 items"):
        C.app_estimate(census, census, 2000, 2010, str(tmp_path / "g"), mx_filter=[("sex", "all", "x")])
    with pytest.raises(ValueError, match="--mx-filter: given without --mx"):  # "std::bad_alloc"
        C.app_estimate_levels(census, "", str(tmp_path / "h"), mx_filter=HugeLie([("a", "b")]))
    with pytest.raises(ValueError, match="asfr_filter: iterating"):
        C.app_estimate_levels(census, "", str(tmp_path / "i"), asfr_filter=ShortLie([("a", "b")]))
    with pytest.raises(ValueError, match="variants: iterating"):
        C.app_backtest(GOOD, census, out_dir=str(tmp_path / "j"), variants=ShortLie(["more"]))
    with pytest.raises(TypeError, match="backtest: run 0"):
        C.app_backtest(GOOD, census, out_dir=str(tmp_path / "k"), runs=[5])
    with pytest.raises(ValueError, match="no zone geometry"):  # "vector::reserve"
        C.zone_geometry(cg.load_scenario(GOOD)._loaded, LongLie(["A"]))
    assert list(tmp_path.iterdir()) == []


def test_runs_handed_out_fresh_are_held_while_written(toy, tmp_path):
    # A sized iterable whose items nothing else holds: the set the job reads points into them (ASan: a use after free
    # had they been let go when the runs were read).
    class Fresh:
        def __len__(self):
            return 1

        def __iter__(self):
            yield toy.copy()

    summary = C.app_run_set(None, Fresh(), "n", str(tmp_path / "out"), 1, format="csv")
    assert (tmp_path / "out" / "population.csv").is_file(), summary


# ---- 2. Scenario.language refused when set --------------------------------------------------------------------------
def test_an_unknown_language_is_refused_when_set(toy):
    sc = toy.copy()
    sc.language = "en"
    with pytest.raises(ValueError, match="language: 'klingon'; expected zh .* or en"):
        sc.language = "klingon"  # refused by write_outputs only
    assert sc.language == "en"
    for taken in ("", "zh", "zh-CN", "EN", "english"):  # as write_outputs and `run --lang` read them
        sc.language = taken
        assert sc.language == taken
    with pytest.raises(TypeError, match="language: expected a str"):
        sc.language = 5


# ---- 3. the ensemble's arguments refused before the deterministic runs -----------------------------------------------
@pytest.mark.parametrize("kw, error, message", [
    (dict(trajectories=3, indicators=["nope"]), ValueError, "indicators: 'nope' is not an indicator"),
    (dict(trajectories=0), ValueError, "trajectories: 0 is out of range"),
    (dict(trajectories="3"), TypeError, r"trajectories: '3' \(str\) is not an int"),
    (dict(trajectories=2, seed=-1), ValueError, "seed: -1 is out of range"),
    (dict(trajectories=2, indicators=["births", "births"]), ValueError, "indicator 'births' is listed twice"),
])
def test_ensemble_arguments_are_refused_before_anything_runs(kw, error, message):
    steps = []
    with pytest.raises(error, match=message):
        cg.load_scenario(STO).run(threads=1, progress=lambda done, total: steps.append(done), **kw)
    assert steps == []  # the deterministic runs were projected first


def test_an_ensemble_after_a_refused_one_runs():
    sset = cg.load_scenario(STO)
    with pytest.raises(ValueError):
        sset.run(threads=1, trajectories=2, indicators=["nope"])
    ens = sset.run(threads=1, trajectories=2, indicators=["age_80_plus"])
    assert ens.trajectories("age_80_plus").shape[1] == 2


# ---- 4. none given is not all --------------------------------------------------------------------------------------
def test_no_variants_given_is_refused_as_run_refuses_it(tmp_path):
    res = cg.load_scenario(GOOD).run(threads=1)
    for frame in (res.population_frame, res.indicator_frame, res.components_frame, res.parity_frame,
                  res.to_xarray):
        with pytest.raises(ValueError, match="variants: none given"):
            frame(variants=[])
    assert sorted(set(res.population_frame(variants=None)["variant"])) == ["baseline", "more"]
    with pytest.raises(ValueError, match="variants: none given"):  # the job's "every variant"
        cg.backtest(GOOD, str(tmp_path / "none.csv"), str(tmp_path / "out"), variants=[])
    assert list(tmp_path.iterdir()) == []


def test_no_indicators_given_is_refused_by_zones_frame():
    res = cg.scenario_from_frames(**toy_frames(zones=2, migration=False)).run(threads=1)
    with pytest.raises(ValueError, match="indicators: none given"):
        res.zones_frame(indicators=[])  # every indicator
    assert list(res.zones_frame(indicators=["population"]).columns) == ["name", "name_en", "geometry", "population"]


# ---- 5. figures -----------------------------------------------------------------------------------------------------
def test_a_pyramids_comparison_year_is_the_results_year(monkeypatch):
    res = cg.load_scenario(GOOD).run(threads=1)
    seen = []
    monkeypatch.setattr(cg._frames._plot, "pyramid", lambda stacked, outline, *a, **k: seen.append(outline[0][0]))
    res.pyramid(compare_year=float(res.years[0]))
    assert seen == [f"total {res.years[0]}"]  # "total 2020.0"


def test_a_figure_title_is_text():
    with pytest.raises(TypeError, match="title: expected a str, got int"):
        cg.Figure(lambda fmt: b"x", title=5)
    assert repr(cg.Figure(lambda fmt: b"x", "t")) == "<cohortgis.Figure 't'>"


def test_a_figures_breaks_are_increasing_finite_numbers():
    # Round 30 (h196): Figure(breaks=...) kept whatever it was given.
    draw = lambda fmt: b"x"  # noqa: E731
    with pytest.raises(TypeError, match="^breaks: expected None or a list of real numbers in increasing order, got int"):
        cg.Figure(draw, breaks=5)
    with pytest.raises(TypeError, match="^breaks: expected None or a list of real numbers in increasing order, got str"):
        cg.Figure(draw, breaks="123")
    with pytest.raises(TypeError, match=r"^breaks 1: 'a' \(str\) is not a real number"):
        cg.Figure(draw, breaks=[1.0, "a"])
    with pytest.raises(TypeError, match=r"^breaks 0: True \(bool\) is not a real number"):
        cg.Figure(draw, breaks=[True])
    with pytest.raises(ValueError, match="^breaks 1: nan; expected a finite real number"):
        cg.Figure(draw, breaks=[0.0, math.nan])
    with pytest.raises(ValueError, match="^breaks 2: inf; expected a finite real number"):
        cg.Figure(draw, breaks=(0, 1, math.inf))
    with pytest.raises(ValueError, match=r"^breaks 1: 1.0 after 3.0; expected class breaks in increasing order"):
        cg.Figure(draw, breaks=[3, 1])
    assert cg.Figure(draw, breaks=np.array([1, 2, 2, 5])).breaks == [1.0, 2.0, 2.0, 5.0]
    assert cg.Figure(draw).breaks is None


def test_load_scenario_text_names_the_table_row_and_cell_it_cannot_take():
    # Round 30 (h196): a cell given as a list (rows nested a level too deep), a number or None was "tables: a dict that
    # does not convert", naming neither the table, the row nor the cell; a row of more cells than columns was taken.
    def load(tables):
        C.load_scenario_text("", "x", "", tables)

    with pytest.raises(TypeError, match=r"^tables\['t'\], row 0, cell 1: expected a str, got list$"):
        load({"t": (["a", "b"], [["1", ["2"]]])})
    with pytest.raises(TypeError, match=r"^tables\['t'\], row 1, cell 0: expected a str, got int$"):
        load({"t": (["a"], [["1"], [2]])})
    with pytest.raises(ValueError, match=r"^tables\['t'\], row 0: 3 cells; expected 1, one per column$"):
        load({"t": (["a"], [["1", "2", "3"]])})
    with pytest.raises(ValueError, match=r"^tables\['t'\]: 3 items; expected a \(columns, rows\) pair$"):
        load({"t": (["a"], [["1"]], [])})
    with pytest.raises(TypeError, match=r"^tables: expected a dict \{name: \(columns, rows of str cells\)\}, got list$"):
        load([])
    with pytest.raises(ValueError, match="key 'geography': missing"):  # the tables taken, the scenario read
        load({"t": (LongLie(["a"]), [("1",)])})
