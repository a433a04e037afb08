# SPDX-License-Identifier: Apache-2.0
"""What the round-22 Python probe (tests/probe/hostile_python4.py) found: the interpreter's exit with a daemon thread
inside cohortgis aborted (std::terminate) or crashed (SIGSEGV); a str subclass could hide a NUL or a length from the
path checks ("good.toml\\0junk" loaded good.toml), and a path that is not UTF-8 was pybind11's "incompatible function
arguments"; scenario_from_frames took a column given twice or a MultiIndex as AttributeError, name=None as the
scenario "None", an aggregate's str as its letters, srb/tfr years inf/NaN/text with messages naming neither, and
dropped a GeoDataFrame's geometry without a word when it had no CRS; ScenarioSet.run took None or an empty list
appended to its runs as AttributeError, ran variants added by a progress callback (without end when each step added
one), and ran variants of other zones whose rows the frames then labelled with the baseline's zone ids; Results({})
raised StopIteration and Results of runs of other layouts gave pandas' length errors; an aggregate listing a zone
twice counted it twice; a RunResult pickle state of the wrong types raised RuntimeError "Unable to cast"."""
import math
import os
import pathlib
import pickle
import subprocess
import sys

import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")


@pytest.fixture()
def long_scenario(tmp_path):
    """The stochastic fixture with 200,000 trajectories: an ensemble that runs for seconds."""
    for f in ("base.csv", "asfr.csv", "mx.csv"):
        (tmp_path / f).write_bytes((FIX / f).read_bytes())
    text = (FIX / "stochastic.toml").read_text().replace("trajectories = 5", "trajectories = 200000")
    (tmp_path / "long.toml").write_text(text)
    return str(tmp_path / "long.toml")


def test_exit_with_daemon_threads_inside_cohortgis(tmp_path, long_scenario):
    # Daemon threads in a run (with a progress callback), a run loop, write_outputs, load_scenario and an ensemble when
    # the main thread ends: each took the GIL back during finalization (exit 134 or 139). A hook registered before the
    # import (run after cohortgis's own) still projects on the exiting thread.
    code = f"""
import atexit, importlib, threading, time
atexit.register(lambda: print("hook", len(importlib.import_module("cohortgis").load_scenario({GOOD!r}).run(threads=2))))
import cohortgis as cg
s = cg.load_scenario({GOOD!r})
def forever(f):
    threading.Thread(target=lambda: [f() for _ in iter(int, 1)], daemon=True).start()
forever(lambda: s.run(threads=2, progress=lambda d, t: None))
forever(lambda: cg.load_scenario({GOOD!r}))
forever(lambda: cg.write_outputs({long_scenario!r}, {str(tmp_path / 'out')!r}, threads=2))
forever(lambda: cg.load_scenario({long_scenario!r}).run(threads=2, trajectories=200000, progress=lambda d, t: None))
time.sleep(0.5)
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ))
    assert p.returncode == 0, p.stderr[-2000:]
    assert "terminate called" not in p.stderr
    assert "hook 2" in p.stdout
    assert not [n for n in os.listdir(tmp_path) if n.startswith("out.")]  # no staging folder left


class NoNul(str):
    def __contains__(self, x):
        return False


class ShortEncoding(str):
    def encode(self, *a, **k):
        return b"x"


def test_path_checks_see_through_str_subclasses(tmp_path):
    with pytest.raises(ValueError, match=r"scenario: .* holds a NUL character"):
        cg.load_scenario(NoNul(GOOD + "\0junk"))
    with pytest.raises(ValueError, match=r"out_dir: .* holds a NUL character"):
        cg.write_outputs(GOOD, NoNul(str(tmp_path / "o\0x")))
    with pytest.raises(ValueError, match=r"a path of 5009 bytes is too long"):
        cg.load_scenario(ShortEncoding("./" * 2500 + "good.toml"))


def test_paths_that_are_not_utf8_name_the_argument(tmp_path):
    with pytest.raises(ValueError, match=r"out_dir: .* is not UTF-8 text"):
        cg.write_outputs(GOOD, str(tmp_path / "o\udcff"))
    with pytest.raises(ValueError, match=r"allow_read: .* is not UTF-8 text"):
        cg.load_scenario(GOOD, allow_read=[str(tmp_path / "\udcff")])
    assert not os.listdir(tmp_path)


def frames(**kw):
    d = toy_frames(zones=2, migration=False)
    d.update(kw)
    return d


def test_frames_columns_are_one_each():
    bp = toy_frames(zones=2)["base_population"]
    with pytest.raises(ValueError, match=r"base_population: column 'population' appears twice"):
        cg.scenario_from_frames(**frames(base_population=pd.concat([bp, bp[["population"]]], axis=1)))
    multi = bp.copy()
    multi.columns = pd.MultiIndex.from_tuples([(c, "x") for c in bp.columns])
    with pytest.raises(ValueError, match=r"base_population: columns of 2 levels \(a MultiIndex\)"):
        cg.scenario_from_frames(**frames(base_population=multi))
    z = toy_frames(zones=2)["zones"]
    with pytest.raises(ValueError, match=r"zones: column 'id' appears twice"):
        cg.scenario_from_frames(**frames(zones=pd.concat([z, z[["id"]]], axis=1)))


@pytest.mark.parametrize("kw, error, pattern", [
    (dict(aggregates=[("west", ["Z000"])]), TypeError, r"aggregates: expected a \{name: \[zone ids\]\} dict"),
    (dict(aggregates={"west": "Z000"}), TypeError, r"aggregates: 'west': expected a list of zone ids, got the str 'Z000'"),
    (dict(aggregates={"west": ["Z000", "Z000"]}), ValueError, r"aggregates: .*listed twice"),
    (dict(name=None), TypeError, r"name: expected a str, got NoneType"),
    (dict(title=5), TypeError, r"title: expected a str, got int"),
    (dict(groups="local"), TypeError, r"groups: expected a list of group names, got the str 'local'"),
    (dict(srb={math.inf: 105.0}), ValueError, r"srb: year inf \(float\) is not a whole year"),
    (dict(srb={math.nan: 105.0}), ValueError, r"srb: year nan \(float\) is not a whole year"),
    (dict(srb={"soon": 105.0}), ValueError, r"srb: year 'soon' \(str\) is not a whole year"),
    (dict(srb={2025: None}), TypeError, r"srb: year 2025: None \(NoneType\) is not a real number"),
    (dict(tfr={2025: "high"}), TypeError, r"tfr: year 2025: 'high' \(str\) is not a real number"),
])
def test_frames_arguments_of_the_wrong_kind(kw, error, pattern):
    with pytest.raises(error, match=pattern):
        cg.scenario_from_frames(**frames(**kw))


def test_frames_geodataframe_without_crs_is_refused():
    z = toy_frames(zones=2)["zones"].copy()
    z.crs = None
    with pytest.raises(ValueError, match=r"zones: a GeoDataFrame without a CRS"):
        cg.scenario_from_frames(**frames(zones=z))
    # A plain DataFrame of the zones stays a set without geometry.
    assert not cg.scenario_from_frames(**frames(zones=pd.DataFrame(z.drop(columns="geometry")))).has_zones()


def test_set_runs_are_checked_when_run(tmp_path):
    s = cg.load_scenario(GOOD)
    s.runs.append(None)
    with pytest.raises(TypeError, match=r"run 2: expected a cohortgis.Scenario"):
        s.run(threads=1)
    with pytest.raises(TypeError, match=r"run 2: expected a cohortgis.Scenario"):
        cg.write_outputs(s, str(tmp_path / "o"))
    s.runs.clear()
    with pytest.raises(ValueError, match=r"needs at least a baseline"):
        s.run(threads=1)


def test_variants_of_another_layout_are_not_run_together():
    s = cg.load_scenario(GOOD)
    moved = s.add_variant("moved")
    moved.set_zones(["A", "C"])  # its rows were labelled A and B
    with pytest.raises(ValueError, match=r"variant 'moved': its zones, groups, age grid or years differ"):
        s.run(threads=1)
    assert s.run(threads=1, variants=["moved"])["moved"].zone_ids == ["A", "C"]


def test_variants_added_during_a_run_are_not_run():
    s = cg.load_scenario(GOOD)
    added = []

    def progress(done, total):  # one a step ran without end when each was run too: at most 5 here
        if len(added) < 5:
            added.append(s.add_variant(f"v{len(added)}"))

    assert list(s.run(threads=1, progress=progress)) == ["baseline", "more"]
    assert len(added) == 5


def test_results_made_by_hand_are_checked():
    with pytest.raises(ValueError, match=r"runs: no runs"):
        cg.Results({})
    with pytest.raises(TypeError, match=r"runs: variant 'baseline': expected a cohortgis.RunResult, got NoneType"):
        cg.Results({"baseline": None})
    a = cg.load_scenario(GOOD).run(threads=1)["baseline"]
    s = cg.load_scenario(GOOD)
    s.baseline.steps = 1
    s.baseline.schedules = s.baseline.schedules[:1]
    s.baseline.plan_periods = []
    short = s.run(threads=1, variants=["baseline"])["baseline"]
    with pytest.raises(ValueError, match=r"runs: variant 'baseline': its zones, groups, age grid or years differ"):
        cg.Results({"long": a, "short": short})


def test_an_aggregate_lists_each_zone_once():
    s = cg.load_scenario(GOOD)
    with pytest.raises(ValueError, match=r"aggregates: 'x': zone 'A' is listed twice"):
        s.baseline.aggregates = [("x", ["A", "A"])]
    s.baseline.aggregates = [("x", ["A", "B"])]
    assert s.baseline.aggregates == [("x", ["A", "B"])]


@pytest.mark.parametrize("field, value", [("zone_ids", None), ("population", 5), ("steps", 2 ** 40),
                                          ("group_names", [1]), ("seconds", "fast"), ("title", None)])
def test_run_result_state_of_the_wrong_types(field, value):
    state = dict(cg.load_scenario(GOOD).run(threads=1)["baseline"].__reduce__()[1][0])
    state[field] = value
    with pytest.raises(ValueError, match=rf"RunResult pickle: field '{field}' is a \w+ of the wrong type"):
        cg._run_result_from_state(state)
    del state[field]
    with pytest.raises(ValueError, match=rf"RunResult pickle: no field '{field}'"):
        cg._run_result_from_state(state)
    good = pickle.loads(pickle.dumps(cg.load_scenario(GOOD).run(threads=1)["baseline"]))
    assert good.zone_ids == ["A", "B"]


def test_backtest_language_of_the_wrong_type(tmp_path):
    with pytest.raises(TypeError, match=r"language: expected 'zh' or 'en'"):
        cg.backtest(GOOD, str(FIX / "base.csv"), str(tmp_path / "bt"), language=5)


def test_a_relocation_out_of_an_empty_zone_names_0_not_minus_0():
    # A zone set to -0.0 persons (accepted: not below 0) said "out of -0 in the origin zone" (round-22 probe).
    s = cg.load_scenario(GOOD)
    pop = s.baseline.base_population
    pop[0] = -0.0  # zone A, every group, sex and age
    s.baseline.base_population = pop
    with pytest.raises(RuntimeError, match=r"\) out of 0 in the origin zone") as e:
        s.run(threads=1)
    assert "-0" not in str(e.value)


def test_a_title_is_capped_as_in_files(tmp_path):
    s = cg.load_scenario(GOOD)
    s.baseline.title = "T" * 501  # a file's scenario.title has at most 500 characters; 10 MB was written everywhere
    with pytest.raises(ValueError, match=r"title of 501 characters; expected at most 500"):
        s.run(threads=1)
    with pytest.raises(ValueError, match=r"title of 501 characters; expected at most 500"):
        cg.write_outputs(s, str(tmp_path / "o"))
    s.baseline.title = "题" * 500
    assert len(s.run(threads=1)) == 2
