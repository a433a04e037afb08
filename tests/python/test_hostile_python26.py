# SPDX-License-Identifier: Apache-2.0
"""What the round-26 Python probe (tests/probe/hostile_python8.py) found: load_scenario read allow_read, allow_db and
data_dir twice (once to load, once to keep for write_outputs, the ensemble and backtest), so a generator was empty the
second time and a PathLike whose __fspath__ changes gave another folder: the ensemble's second load of the file was
refused its tables; the base_population, aggregates and plan_periods setters checked that no run() was projecting the
scenario before converting the value, whose Python (__array__, __getitem__, __iter__) could start one, and then
replaced the inputs under it; an object array holding 0-d or one-element arrays converted them by float(), so
np.array(True) was 1 and np.array("1.5") 1.5; scenario_from_frames read endless groups and aggregate members into a
list until memory ran out, and named zones whose name is missing "nan" or "<NA>"; a str subclass whose __eq__ says
yes to anything matched the first indicator, zone, variant or figure format whatever was asked for."""
import itertools
import pathlib
import threading

import numpy as np
import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")
STO = FIX / "stochastic.toml"


class Liar(str):
    """A str whose == says yes to anything (its hash is str's)."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class Flip:
    """A path that is `first` the first time it is asked for, `then` after."""

    def __init__(self, first, then):
        self.first, self.then, self.calls = first, then, 0

    def __fspath__(self):
        self.calls += 1
        return self.first if self.calls == 1 else self.then


def _far_scenario(tmp_path):
    """The stochastic fixture in a folder of its own, its tables named by absolute path in the fixtures' folder (read
    only with allow_read=[that folder])."""
    text = STO.read_text()
    for table in ("base.csv", "asfr.csv", "mx.csv"):
        text = text.replace(f'"{table}"', f'"{FIX / table}"')
    far = tmp_path / "far" / "far.toml"
    far.parent.mkdir()
    far.write_text(text)
    return str(far)


def test_allow_read_given_as_a_generator_is_kept_for_the_ensemble(tmp_path):
    far = _far_scenario(tmp_path)
    with pytest.raises(ValueError):  # the tables are outside the scenario's folder: allow_read is needed
        cg.load_scenario(far)
    sset = cg.load_scenario(far, allow_read=(p for p in [str(FIX)]))
    assert type(sset.run(threads=1, trajectories=2)).__name__ == "Ensemble"


def test_allow_read_whose_fspath_changes_is_read_once(tmp_path):
    far = _far_scenario(tmp_path)
    sset = cg.load_scenario(far, allow_read=[Flip(str(FIX), str(tmp_path))])
    assert type(sset.run(threads=1, trajectories=2)).__name__ == "Ensemble"
    out = cg.write_outputs(sset, tmp_path / "out", threads=1)
    assert pathlib.Path(out["out_dir"]).name == "out"


def _in_flight(sset):
    """A run of `sset` on another thread, held inside its progress callback (so still projecting) until release()."""
    started, go = threading.Event(), threading.Event()

    def hold(done, total):
        started.set()
        go.wait(60)

    thread = threading.Thread(target=lambda: sset.run(threads=1, progress=hold))
    thread.start()
    assert started.wait(60)

    def release():
        go.set()
        thread.join()
    return release


@pytest.mark.parametrize("field", ["base_population", "aggregates", "plan_periods"])
def test_a_setter_whose_conversion_starts_a_run_refuses(field):
    sset = cg.load_scenario(GOOD)
    s = sset.baseline
    before = (s.base_population.copy(), s.aggregates, s.plan_periods)
    held = []

    def start():
        if not held:
            held.append(_in_flight(sset))

    class Population:
        def __array__(self, dtype=None, copy=None):
            start()
            return before[0] * 2

    class Aggregates:
        def __len__(self):
            return 1

        def __getitem__(self, k):
            if k >= 1:
                raise IndexError
            start()
            return ("west", [s.zone_ids[0]])

    class Periods(list):
        def __iter__(self):
            start()
            return list.__iter__(self)

    value = {"base_population": Population(), "aggregates": Aggregates(),
             "plan_periods": Periods([(2021, 2025, "plan")])}[field]
    try:
        with pytest.raises(RuntimeError, match="is being projected by cohortgis.run"):
            setattr(s, field, value)
    finally:
        held[0]()
    assert (s.base_population == before[0]).all() and s.aggregates == before[1] and s.plan_periods == before[2]
    setattr(s, field, value)  # after the run: taken


@pytest.mark.parametrize("cell", [np.array(True), np.array("1.5"), np.array([5.0]), np.array(2 + 1j),
                                  np.array(np.datetime64("2020-01-01"))])
def test_an_array_as_a_cell_of_an_object_array_is_not_a_number(cell):
    s = cg.load_scenario(GOOD).baseline
    b = s.base_population
    cells = np.empty(b.shape, object)
    cells.flat[:] = list(b.flat)
    cells.flat[0] = cell
    with pytest.raises(TypeError, match="base population: an array holding"):
        s.base_population = cells
    st = cg.StepSchedules()
    with pytest.raises(TypeError, match="asfr: an array holding"):
        st.asfr = np.array([0.1, cell, 0.1], dtype=object)


def test_zero_d_number_arrays_as_cells_still_convert():
    s = cg.load_scenario(GOOD).baseline
    b = s.base_population
    cells = np.empty(b.shape, object)
    cells.flat[:] = [np.array(x) for x in b.flat]
    cells.flat[1] = np.array(7, dtype=np.int16)
    s.base_population = cells
    assert s.base_population.flat[1] == 7.0 and (s.base_population.flat[2:] == b.flat[2:]).all()


def _frames(**kw):
    d = toy_frames(zones=2, migration=False)
    d.update(kw)
    return d


def test_endless_groups_and_aggregate_members_stop_at_the_repeat():
    with pytest.raises(ValueError, match="groups: group 'local' is listed twice"):
        cg.scenario_from_frames(**_frames(groups=itertools.repeat("local")))
    with pytest.raises(ValueError, match="aggregates: 'west': zone 'Z000' is listed twice"):
        cg.scenario_from_frames(**_frames(aggregates={"west": itertools.repeat("Z000")}))
    with pytest.raises(ValueError, match="aggregates: 'west': more than 2 zones"):
        cg.scenario_from_frames(**_frames(aggregates={"west": (f"Z{k:03d}" for k in itertools.count())}))
    ok = cg.scenario_from_frames(**_frames(groups=(g for g in ["local", "migrant"]),
                                           aggregates={"west": iter(["Z001"])}))
    assert ok.baseline.group_names == ["local", "migrant"] and ok.baseline.aggregates == [("west", ["Z001"])]


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_a_missing_zone_name_is_no_name(missing):
    d = _frames()
    zones = d["zones"].copy()
    zones["name"] = zones["name"].astype(object)
    zones.loc[1, "name"] = missing
    zones["name_en"] = ["west", missing]
    s = cg.scenario_from_frames(**dict(d, zones=zones, name_en_column="name_en")).baseline
    assert s.zone_names == ["zone 0", ""] and s.zone_names_en == ["west", ""]


def test_a_str_whose_eq_lies_is_taken_as_the_text_it_holds():
    sset = cg.load_scenario(GOOD)
    sset.baseline.variant_title = "Base case"
    res = sset.run(threads=1)
    with pytest.raises(ValueError, match="indicator 'nope'"):
        res.indicator_values(Liar("nope"))
    with pytest.raises(ValueError, match="group 'nope'"):
        res.indicator_values("population", group=Liar("nope"))
    with pytest.raises(ValueError, match="zone 'nope'"):
        res.pyramid(zone=Liar("nope"))
    with pytest.raises(ValueError, match="zone 'nope'"):
        res.lines(zone=Liar("nope"))
    with pytest.raises(KeyError, match="no variant 'nope'"):
        sset[Liar("nope")]
    with pytest.raises(KeyError, match="no variant 'nope'"):
        sset.add_variant("v2", base=Liar("nope"))
    with pytest.raises(ValueError, match="format 'bmp'"):
        res.pyramid().data(Liar("bmp"))
    assert "Base case" not in res.pyramid(variant=Liar("more")).title
    assert sset[Liar("more")] is sset.runs[1]


@pytest.mark.parametrize("cell", [np.array(True), np.array("7"), np.array([5.0])])
def test_an_array_as_a_cell_of_a_frame_is_not_a_number(cell):
    d = _frames()
    base = d["base_population"].copy()
    base["population"] = base["population"].astype(object)
    base.at[3, "population"] = cell
    with pytest.raises(ValueError, match=r"base_population: row 3 \(index 3\), column 'population': .* is not a number"):
        cg.scenario_from_frames(**dict(d, base_population=base))


def test_a_number_past_a_float_names_its_argument():
    with pytest.raises(ValueError, match=r"^srb: a number past a float's range"):
        cg.scenario_from_frames(**_frames(srb=10 ** 400))
    with pytest.raises(ValueError, match=r"^tfr: a number past a float's range"):
        cg.scenario_from_frames(**_frames(tfr=-10 ** 400))
    with pytest.raises(ValueError, match=r"srb"):  # past TOML's 64-bit ints: the float it is, out of srb's range
        cg.scenario_from_frames(**_frames(srb=2 ** 70))
    assert cg.scenario_from_frames(**_frames(srb=np.int64(106))).baseline.step_schedules(0).srb[0] == \
        pytest.approx(1.06)
