# SPDX-License-Identifier: Apache-2.0
"""What the round-23 Python probe (tests/probe/hostile_python5.py) found: Figure.save waited without end on a FIFO,
opened the file before rendering (a render that failed left an empty file, or emptied the user's file of that name)
and took None as format to pybind11's listing; text that is not UTF-8 (lone surrogates) in a scenario's fields, zone
ids, titles, labels, component and indicator names and scenario_from_frames' arguments and cells was pybind11's
"incompatible function arguments" listing (for scenario_from_frames: of every cell); NumPy complex numbers became
their real part (set_tfr, frames, object arrays as base_population), a NumPy bool a TFR of 1, a Series repeating a
year kept its last value, 2**1000 a bare OverflowError; set_tfr_path read a dict whose key's __index__ emptied it
from freed memory; a forked child's exit removed the parent's temporary zones GeoPackage; Results(runs, 5) and
Ensemble([]) failed later with AttributeError and IndexError."""
import gc
import os
import pathlib
import stat
import sys

import numpy as np
import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")
SURROGATE = "x\udcff"


@pytest.fixture(scope="module")
def good_results():
    return cg.load_scenario(GOOD).run(threads=1)


def frames(**kw):
    d = toy_frames(zones=2, migration=False)
    d.update(kw)
    return cg.scenario_from_frames(**d)


# ---- Figure.save
def test_figure_save_refuses_fifo_and_devices(tmp_path, good_results):
    fig = good_results.pyramid()
    fifo = tmp_path / "fifo.png"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        fig.save(str(fifo))  # opened for writing, it waited for a reader without end
    with pytest.raises(ValueError, match="/dev/null"):
        fig.save("/dev/null")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ValueError, match="not a regular file"):
        fig.save(str(tmp_path / "folder.png"))
    with pytest.raises(TypeError, match="path"):
        fig.save(b"/tmp/x.png")
    assert fig.save(tmp_path / "p.png") == str(tmp_path / "p.png")  # os.PathLike
    assert (tmp_path / "p.png").stat().st_size > 0


def test_figure_save_renders_before_opening(tmp_path, good_results):
    fig = good_results.lines()
    fig._render = lambda fmt: 1 / 0  # a render that fails (Ctrl-C, memory): no file made, none emptied
    with pytest.raises(ZeroDivisionError):
        fig.save(str(tmp_path / "new.svg"))
    assert not (tmp_path / "new.svg").exists()
    (tmp_path / "keep.svg").write_text("the user's image")
    with pytest.raises(ZeroDivisionError):
        fig.save(str(tmp_path / "keep.svg"))
    assert (tmp_path / "keep.svg").read_text() == "the user's image"


def test_figure_data_format_checked(good_results):
    fig = good_results.pyramid()
    with pytest.raises(TypeError, match="format: expected 'png', 'svg' or 'pdf', got NoneType"):
        fig.data(None)  # pybind11's listing of render_pyramid's arguments before
    with pytest.raises(ValueError, match=r"format '\\udcff': expected"):
        fig.data("\udcff")


# ---- text that is not UTF-8
@pytest.mark.parametrize("field", ["name", "title", "language", "variant", "migration_timing", "flow_policy"])
def test_scenario_text_fields_not_utf8(field):
    sc = cg.load_scenario(GOOD).baseline
    with pytest.raises(ValueError, match=f"{field}: .*not UTF-8"):
        setattr(sc, field, SURROGATE)
    with pytest.raises(TypeError, match=f"{field}: expected a str, got int"):
        setattr(sc, field, 5)


def test_scenario_lists_and_zones_not_utf8():
    sc = cg.load_scenario(GOOD).baseline
    with pytest.raises(ValueError, match="group_names 1: .*not UTF-8"):
        sc.group_names = ["a", SURROGATE]
    with pytest.raises(ValueError, match="assumptions 0: .*not UTF-8"):
        sc.assumptions = [SURROGATE]
    with pytest.raises(TypeError, match="group_names: expected a list of str, got str"):
        sc.group_names = "abc"
    with pytest.raises(ValueError, match="zone ids 1: .*not UTF-8"):
        sc.set_zones(["A", SURROGATE])
    with pytest.raises(ValueError, match="base_year: 1099511627776 is out of range; expected an int"):
        sc.base_year = 2 ** 40
    sc.set_zones(["A", "B"], ["Zone A", "Zone B"])  # still takes lists (and the default empty names)
    assert sc.zone_names == ["Zone A", "Zone B"]
    st = cg.StepSchedules()
    with pytest.raises(ValueError, match="mortality_kind: .*not UTF-8"):
        st.mortality_kind = SURROGATE
    with pytest.raises(ValueError, match="variant name: .*not UTF-8"):
        cg.load_scenario(GOOD).add_variant(SURROGATE)


def test_plots_and_names_not_utf8(good_results):
    mapped = frames().run(threads=1)
    with pytest.raises(ValueError, match="title: .*not UTF-8"):
        mapped.map(title=SURROGATE)
    with pytest.raises(TypeError, match="title: expected a str"):
        mapped.map(title=5)
    with pytest.raises(ValueError, match="title: .*not UTF-8"):
        good_results.lines(title=SURROGATE)
    with pytest.raises(ValueError, match="title: .*not UTF-8"):
        good_results.pyramid(title=SURROGATE)
    with pytest.raises(ValueError, match="indicators: .*not UTF-8"):
        cg.load_scenario(str(FIX / "stochastic.toml")).run(threads=1, trajectories=2, indicators=[SURROGATE])


def test_frames_not_utf8():
    with pytest.raises(ValueError, match="name: .*not UTF-8"):
        frames(name=SURROGATE)
    bp = toy_frames(zones=2)["base_population"].copy()
    bp["zone"] = bp["zone"].astype(object)
    bp.loc[5, "zone"] = SURROGATE
    with pytest.raises(ValueError, match=r"base_population: row 5, column 'zone': .*not UTF-8") as e:
        frames(base_population=bp)
    assert len(str(e.value)) < 400  # pybind11's listing repeated every cell
    with pytest.raises(ValueError, match="groups.*not UTF-8"):
        frames(groups=["local", SURROGATE])


# ---- year paths and numbers
def test_year_paths_refuse_complex_bool_huge_and_repeats():
    sc = cg.load_scenario(GOOD).baseline
    # A value of the wrong kind is a TypeError (real_number, as the compiled classes' real_of), a value out of range a
    # ValueError.
    for bad, match in [(np.complex128(1.5 + 1j), r"\(1\.5\+1j\) \(complex128\) is not a real number"),
                       ({2030: np.complex128(1.5 + 1j)}, "year 2030: .*is not a real number"),
                       ({2030: True}, r"year 2030: True \(bool\) is not a real number"),
                       (np.array("1.5"), r"array\('1\.5', dtype='<U3'\) \(ndarray\) is not a real number"),
                       ({2030: "1.5"}, r"year 2030: '1.5' \(str\) is not a real number")]:
        with pytest.raises(TypeError, match="tfr: " + match):
            sc.set_tfr(bad)
    for bad, match in [({2030: 2 ** 1000}, "2030"), ({2 ** 1000: 1.5}, "year an int of 1001 bits is out of range")]:
        with pytest.raises(ValueError, match="tfr: .*" + match):
            sc.set_tfr(bad)
    with pytest.raises(TypeError, match="bool"):
        sc.set_tfr(np.bool_(True))
    with pytest.raises(ValueError, match="srb: year 2030 is listed twice"):
        sc.set_srb(pd.Series([105.0, 120.0], index=[2030, 2030]))
    with pytest.raises(ValueError, match="tfr: year 2030 is listed twice"):
        frames(tfr=pd.Series([1.5, 2.5], index=[2030, 2030]))
    with pytest.raises(ValueError, match="srb, year 2030"):
        frames(srb={2030: 2 ** 1000})
    with pytest.raises(ValueError, match="srb: year 2030: a number past a float's range"):
        frames(srb={2030: 2 ** 1100})
    sc.set_tfr({2020: np.float32(1.5), np.int64(2030): 1.25})  # NumPy's numbers stay numbers
    assert sc.set_tfr(np.array(1.4)) is sc


def test_complex_objects_are_not_numbers():
    bp = toy_frames(zones=2)["base_population"].astype({"population": object})
    bp.loc[0, "population"] = np.complex128(5 + 3j)
    with pytest.raises(ValueError, match="population"):
        frames(base_population=bp)
    sc = cg.load_scenario(GOOD).baseline
    a = sc.base_population.astype(object)
    a.flat[0] = np.complex128(5 + 3j)
    with pytest.raises(TypeError, match="base population: .*complex"):
        sc.base_population = a
    with pytest.raises(TypeError, match="asfr: .*expected real numbers"):
        cg.StepSchedules().asfr = np.array([True, 0.5], dtype=object)
    b = sc.base_population.astype(object)  # numbers as objects still convert
    sc.base_population = b
    assert np.array_equal(sc.base_population, b.astype(float))


def test_tfr_path_dict_emptied_by_a_key():
    points = {}

    class Year:
        def __index__(self):
            points.clear()
            gc.collect()
            return 2030

    points[Year()] = float("1.5")  # the dict held the only reference to the value
    sc = cg.load_scenario(GOOD).baseline
    sc.set_tfr_path(points)
    assert np.allclose(sc.total_fertility(1), 1.5)
    # A whole float is a year, as set_tfr takes it (round 28: one rule for year keys, test_backlog28.py).
    sc.set_tfr_path({2030.0: 1.25})
    assert np.allclose(sc.total_fertility(1), 1.25)
    with pytest.raises(TypeError, match="srb: expected a {year: value} dict"):
        sc.set_srb_path([(2030, 105.0)])


# ---- a forked child, things built by hand
@pytest.mark.skipif(sys.platform != "linux", reason="os.fork")
def test_forked_child_exit_keeps_parent_zones(tmp_path):
    sset = frames()
    pid = os.fork()
    if pid == 0:  # the child exits through the interpreter: its atexit hooks run
        code = 0
        try:
            import atexit
            atexit._run_exitfuncs()
        except BaseException:
            code = 3
        os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    out = cg.write_outputs(sset, str(tmp_path / "out"), threads=1)
    assert os.path.exists(os.path.join(out["out_dir"], "results.gpkg"))


def test_frames_failure_leaves_no_geometry_folder(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    bp = toy_frames(zones=2)["base_population"].copy()
    bp.loc[0, "zone"] = "Z999"
    with pytest.raises(ValueError, match="Z999"):
        frames(base_population=bp)
    assert os.listdir(tmp_path) == []


def test_results_and_ensemble_by_hand(good_results):
    with pytest.raises(TypeError, match="scenario_set"):
        cg.Results(dict(good_results), 5)
    with pytest.raises(ValueError, match="no runs"):
        cg.Ensemble([], None)
    with pytest.raises(TypeError, match="parts"):
        cg.Ensemble(None, None)


def test_truncated_memmap_is_refused(tmp_path):
    # Its pages past the file's new end raised SIGBUS when the binding copied them: the interpreter died.
    sc = cg.load_scenario(GOOD).baseline
    n = sc.base_population.size
    path = str(tmp_path / "bp.mm")
    m = np.memmap(path, dtype="f8", mode="w+", shape=(n * 1000,))
    m.flush()
    os.truncate(path, 0)
    with pytest.raises(ValueError, match="base population: the array's memory cannot be read"):
        sc.base_population = m[:n]
    with pytest.raises(ValueError, match="asfr: the array's memory cannot be read"):
        cg.StepSchedules().asfr = m[::-3]


def test_rates_and_pickle_states_named():
    with pytest.raises(TypeError, match="rate_per_year"):
        cg.GroupTransition(0, 1, [np.complex128(0.1 + 1j)])
    t = cg.GroupTransition(0, 1, np.array([0.1, 0.2]))
    assert t.rate_per_year == [0.1, 0.2]
    t.zone_multiplier = (1.0, 2.0)
    assert t.zone_multiplier == [1.0, 2.0]
    r = cg.NewbornRule(0, 1, 0.5)
    with pytest.raises(TypeError, match="zone_share"):
        r.zone_share = ["x"]
    o = cg.OdFlow.__new__(cg.OdFlow)
    with pytest.raises(ValueError, match="OdFlow pickle: field 'origin'"):
        o.__setstate__((2 ** 40, 1, 0.1, -1))
    g = cg.GroupTransition.__new__(cg.GroupTransition)
    with pytest.raises(ValueError, match="GroupTransition pickle: field 'from_group'"):
        g.__setstate__(("a", 1, [0.1], []))
    import pickle

    back = pickle.loads(pickle.dumps(t))
    assert (back.from_group, back.rate_per_year, back.zone_multiplier) == (0, [0.1, 0.2], [1.0, 2.0])
    with pytest.raises(TypeError, match="cannot pickle cohortgis.Figure"):
        pickle.dumps(cg.load_scenario(GOOD).run(threads=1).pyramid())


def test_rate_lists_read_by_their_items_and_named_by_index():
    # Round 30 (h196): the rate lists went through NumPy's conversion, which flattened a nested list ([[0.1, 0.2]] as
    # two rates) and named no item ("zone_share: an array of dtype <U1"); now read as the compiled functions' lists
    # (one helper), each item named by its index. A NumPy bool and an array as a value were a rate of 1 and of 5.
    with pytest.raises(TypeError, match=r"^rate_per_year 0: \[0.1, 0.2\] \(list\) is not a real number"):
        cg.GroupTransition(0, 1, [[0.1, 0.2]])
    with pytest.raises(ValueError, match=r"^zone_multiplier: an array of 2 dimensions; expected a list of real"):
        cg.GroupTransition(0, 1, [0.1], np.array([[1.0, 2.0]]))
    r = cg.NewbornRule(0, 1, 0.5)
    with pytest.raises(TypeError, match=r"^zone_share 1: 'x' \(str\) is not a real number"):
        r.zone_share = [0.5, "x"]
    with pytest.raises(TypeError, match=r"^zone_share 0: True \(bool_?\) is not a real number"):
        r.zone_share = [np.True_]
    with pytest.raises(TypeError, match=r"^share: .* is not a real number"):
        cg.NewbornRule(0, 1, np.array([0.5]))
    with pytest.raises(TypeError, match=r"^share: True \(bool_?\) is not a real number"):
        cg.NewbornRule(0, 1, np.True_)
    with pytest.raises(ValueError, match="^zone_share: a masked array with masked"):
        r.zone_share = np.ma.masked_array([0.5, 0.2], mask=[False, True])
    r.zone_share = (np.float32(0.5), 1, np.array(0.25))
    assert r.zone_share == [0.5, 1.0, 0.25]


def test_schedule_lists_and_scalars_named():
    st = cg.load_scenario(GOOD).baseline.step_schedules(0)
    with pytest.raises(TypeError, match="transitions: row 0: .*expected a cohortgis.GroupTransition"):
        st.transitions = [None]
    with pytest.raises(TypeError, match="newborn_rules: row 0: .*expected a cohortgis.NewbornRule"):
        st.newborn_rules = [5]
    with pytest.raises(ValueError, match=r"^external_pairs: row 0, from_cell: -1 is out of range; expected an int "
                                         r"from 0 to"):
        st.external_pairs = [(-1, 0, 1.0)]
    st.transitions = [cg.GroupTransition(0, 0, [0.0])]
    assert len(st.transitions) == 1
    with pytest.raises(ValueError, match="set_od: zones -1"):
        st.set_od([cg.OdFlow(0, 1, 0.1)], -1, 1, 5)
    with pytest.raises(TypeError, match="rate_per_year: .*not a real number"):
        cg.OdFlow(0, 1, np.complex128(0.1 + 1j))
    with pytest.raises(TypeError, match="share: .*not a real number"):
        cg.NewbornRule(0, 1, True)
    rule = cg.NewbornRule(0, 1, np.float32(0.5))
    rule.share = 0.25
    assert rule.share == 0.25
    sc = cg.load_scenario(GOOD).baseline
    with pytest.raises(TypeError, match="schedules: row 0: .*expected a cohortgis.StepSchedules"):
        sc.schedules = [None]
    with pytest.raises(ValueError, match=r"^aggregates: row 0, name: .*not UTF-8 text"):  # as plan_periods'
        sc.aggregates = [(SURROGATE, ["A"])]
    with pytest.raises(ValueError, match=r"^plan_periods: row 0, plan: .*not UTF-8 text"):
        sc.plan_periods = [(2021, 2025, SURROGATE)]
    sc.aggregates = [("both", ["A", "B"])]
    sc.plan_periods = [(2021, 2025, "first")]
    assert (sc.aggregates, sc.plan_periods) == ([("both", ["A", "B"])], [(2021, 2025, "first")])
