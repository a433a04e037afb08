# SPDX-License-Identifier: Apache-2.0
"""run() projects the Python object's own Scenario, not a copy (bind_run.cpp): while the engine reads it with the GIL
released, the scenario cannot be changed (its setters raise RuntimeError, from another thread or from the run's own
progress callback), runs of one scenario from several threads only read it, and a scenario changed between two runs
changes the second run only. Results never point into the scenario."""
import gc
import threading

import numpy as np
import pytest

ARRAYS = ("population", "final_population", "indicators", "births", "deaths", "net_migration")


@pytest.fixture()
def scenario(cg):
    """12 single-year steps of 120 zones (a run of a few tens of ms: long enough for another thread to act)."""
    from toy_frames import toy_frames

    return cg.scenario_from_frames(**toy_frames(zones=120, step=1, open_age=100, horizon=2032)).baseline


def _arrays(r):
    return {name: np.array(getattr(r, name)) for name in ARRAYS}


def _assert_same(r, expected):
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(r, name), expected[name], err_msg=name)  # NaN == NaN here


# Every way Python can change a Scenario, each with a valid value (so only the run in progress refuses it).
def _changes(sc):
    pop = sc.base_population
    schedules = sc.schedules
    return {
        "name": lambda: setattr(sc, "name", "other"),
        "variant": lambda: setattr(sc, "variant", "other"),
        "title": lambda: setattr(sc, "title", "other"),
        "assumptions": lambda: setattr(sc, "assumptions", ["other"]),
        "steps": lambda: setattr(sc, "steps", 1),
        "base_year": lambda: setattr(sc, "base_year", 2000),
        "group_names": lambda: setattr(sc, "group_names", list(sc.group_names)),
        "base_population": lambda: setattr(sc, "base_population", pop * 2.0),
        "schedules": lambda: setattr(sc, "schedules", schedules[:1]),
        "aggregates": lambda: setattr(sc, "aggregates", []),
        "plan_periods": lambda: setattr(sc, "plan_periods", []),
        "migration_timing": lambda: setattr(sc, "migration_timing", "end"),
        "flow_policy": lambda: setattr(sc, "flow_policy", "wpp"),
        "set_grid": lambda: sc.set_grid(5, 85),
        "set_zones": lambda: sc.set_zones(list(sc.zone_ids)),
        "set_tfr": lambda: sc.set_tfr({2020: 1.0}),
        "set_mean_age": lambda: sc.set_mean_age({2020: 35.0}),
        "set_srb": lambda: sc.set_srb({2020: 120.0}),
        "set_step_schedules": lambda: sc.set_step_schedules(0, schedules[0]),
    }


def test_every_setter_refuses_while_the_run_reads_the_scenario(cg, scenario):
    expected = _arrays(cg._cohortgis.run(scenario.copy(), 1))
    refused = {}

    def progress(done, total):
        if done == 2:  # the engine is between steps 2 and 3 of this very scenario
            for what, change in _changes(scenario).items():
                with pytest.raises(RuntimeError, match="is being projected by cohortgis.run") as e:
                    change()
                refused[what] = str(e.value)

    r = cg._cohortgis.run(scenario, 1, progress)
    assert set(refused) == set(_changes(scenario)), refused
    assert "scenario 'toy' (variant 'baseline')" in refused["name"]
    _assert_same(r, expected)
    # Once the run has ended the scenario is the user's again.
    scenario.name = "other"
    scenario.set_tfr({2020: 1.0})
    assert scenario.name == "other"


def test_another_thread_cannot_change_the_scenario_mid_run(cg, scenario):
    expected = _arrays(cg._cohortgis.run(scenario.copy(), 1))
    before = scenario.base_population
    stop = threading.Event()
    outcome = {"refused": 0, "changed": 0}

    def meddle():
        while not stop.is_set():
            try:
                scenario.set_tfr({2020: 0.5})
                scenario.base_population = before * 3.0
                outcome["changed"] += 1
            except RuntimeError:
                outcome["refused"] += 1

    worker = threading.Thread(target=meddle)

    def progress(done, total):
        # Started and stopped inside the run, so every attempt falls while the engine holds the scenario; between
        # steps the engine runs with the GIL released, and the thread tries then.
        if done == 0:
            worker.start()
        if done == total:
            stop.set()
            worker.join()

    r = cg._cohortgis.run(scenario, 2, progress)
    assert outcome["changed"] == 0 and outcome["refused"] > 0, outcome
    _assert_same(r, expected)
    np.testing.assert_array_equal(scenario.base_population, before)


def test_several_threads_run_one_scenario(cg, scenario, in_threads):
    expected = _arrays(cg._cohortgis.run(scenario.copy(), 1))
    results = [None] * 4

    def work(k):
        results[k] = cg._cohortgis.run(scenario, 1 + k % 2)

    in_threads(work, 4)
    for r in results:
        _assert_same(r, expected)
    scenario.name = "changed after every run ended"  # no run holds it any more
    assert scenario.name == "changed after every run ended"


def test_a_scenario_changed_between_two_runs(cg, scenario):
    first = cg._cohortgis.run(scenario, 2)
    kept = _arrays(first)
    edited = scenario.copy().set_tfr({2020: 1.1, 2032: 0.9})
    scenario.set_tfr({2020: 1.1, 2032: 0.9})
    second = cg._cohortgis.run(scenario, 2)
    # The first result is the run's own record: it shares nothing with the scenario.
    _assert_same(first, kept)
    _assert_same(second, _arrays(cg._cohortgis.run(edited, 2)))
    assert second.births.sum() < first.births.sum()


def test_the_scenario_is_writable_after_a_run_that_failed(cg, scenario):
    def fail(done, total):
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cg._cohortgis.run(scenario, 1, fail)
    scenario.name = "after Ctrl-C"

    def boom(done, total):
        if done == 1:
            raise ValueError("from progress")

    with pytest.raises(ValueError, match="from progress"):
        cg._cohortgis.run(scenario, 1, boom)
    scenario.set_tfr({2020: 1.2})
    assert scenario.name == "after Ctrl-C"


def test_dropping_every_python_reference_mid_run(cg):
    """The scenario set (and its C++ runs) let go of from the progress callback: the call's argument keeps the
    scenario alive until the engine has finished with it."""
    from toy_frames import toy_frames

    expected = _arrays(cg.scenario_from_frames(**toy_frames(zones=60, step=1, horizon=2030)).run(threads=1)["baseline"])
    holder = {"set": cg.scenario_from_frames(**toy_frames(zones=60, step=1, horizon=2030))}

    def progress(done, total):
        if done == 1:
            holder.clear()
            gc.collect()

    r = cg._cohortgis.run(holder["set"].runs[0], 1, progress)
    assert not holder
    _assert_same(r, expected)


def test_results_outlive_the_scenario_set(cg):
    from toy_frames import toy_frames

    ss = cg.scenario_from_frames(**toy_frames())
    res = ss.run(threads=1)
    r = res["baseline"]
    expected = _arrays(r)
    del ss, res
    gc.collect()
    _assert_same(r, expected)
    assert r.zone_ids and r.group_names


def test_schedules_read_as_copies(cg, scenario):
    """Scenario.schedules gives copies (as documented): a schedule read before cannot change the scenario behind a
    run's back, and stays valid when the list is assigned again (it used to be a reference into the list)."""
    s0 = scenario.schedules[0]
    srb = np.array(scenario.schedules[0].srb)
    s0.srb = np.full_like(srb, 1.0)  # in a scenario file's range (0.9 to 1.3), unlike the held 1.05
    np.testing.assert_array_equal(scenario.schedules[0].srb, srb)
    scenario.schedules = scenario.schedules[:1]
    gc.collect()
    np.testing.assert_array_equal(s0.srb, np.full_like(srb, 1.0))  # the copy is its own object
    assert len(scenario.schedules) == 1


def test_one_step_of_schedules(cg, scenario):
    """step_schedules(k) is a copy of step k's set (as schedules[k], without the whole list); set_step_schedules(k, s)
    replaces step k only, also when one set was held for every step; steps outside 0 … steps − 1 raise IndexError."""
    assert len(scenario.schedules) == 1  # the fixture holds one set for every step
    held = scenario.schedules[0]
    last = scenario.step_schedules(scenario.steps - 1)
    np.testing.assert_array_equal(last.asfr, held.asfr)
    last.srb = np.full_like(last.srb, 1.0)  # a copy: the scenario keeps its own
    np.testing.assert_array_equal(scenario.step_schedules(0).srb, held.srb)

    last.srb = np.full_like(held.srb, 1.2)
    scenario.set_step_schedules(3, last)
    assert len(scenario.schedules) == scenario.steps  # the held set was copied to each step first
    np.testing.assert_array_equal(scenario.step_schedules(3).srb, np.full_like(held.srb, 1.2))
    for k in (0, 2, 4, scenario.steps - 1):
        np.testing.assert_array_equal(scenario.step_schedules(k).srb, held.srb)
        np.testing.assert_array_equal(scenario.step_schedules(k).asfr, scenario.schedules[k].asfr)

    scenario.set_step_schedules(4, last)  # per-step sets now: only step 4 changes
    np.testing.assert_array_equal(scenario.schedules[4].srb, np.full_like(held.srb, 1.2))
    np.testing.assert_array_equal(scenario.schedules[5].srb, held.srb)

    for bad in (-1, scenario.steps):
        with pytest.raises(IndexError, match="step"):
            scenario.step_schedules(bad)
        with pytest.raises(IndexError, match="step"):
            scenario.set_step_schedules(bad, last)
    assert len(scenario.schedules) == scenario.steps
